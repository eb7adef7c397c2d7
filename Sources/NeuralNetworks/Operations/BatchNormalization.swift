import Foundation
import LinearAlgebra

/// Batch normalisation per channel (ONNX `BatchNormalization`; PyTorch's `BatchNorm1d/2d`):
/// inputs X (N × C × …), the scale γ, the shift β, the running mean and the running variance
/// (each C). In inference the running statistics normalise (and fold into a convolution before
/// it, see `Graph.optimizedForInference()`); in training the batch's mean and variance over
/// examples and positions do, and the running statistics move by `1 − momentum` towards them
/// (ONNX's convention: `momentum` 0.9 is PyTorch's 0.1), the variance as its unbiased estimate.
public struct BatchNormalization: Operation {
    /// `BatchNormalization`.
    public static let typeName = "BatchNormalization"
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// The weight of the old running statistics in the new ones.
    public let momentum: Float

    /// A normalisation with PyTorch's defaults.
    /// - Precondition: `epsilon > 0`, `momentum` in [0, 1].
    public init(epsilon: Float = 1e-5, momentum: Float = 0.9) {
        precondition(epsilon > 0 && epsilon.isFinite && (0...1).contains(momentum), "BatchNormalization: epsilon \(epsilon), momentum \(momentum)")
        self.epsilon = epsilon
        self.momentum = momentum
    }

    /// From the attributes `epsilon` and `momentum`.
    /// - Throws: `OperationError` for an epsilon that is not positive or a momentum outside [0, 1].
    public init(attributes: OperationAttributes) throws {
        let epsilon = try attributes.float("epsilon", default: 1e-5), momentum = try attributes.float("momentum", default: 0.9)
        guard epsilon > 0, (0...1).contains(momentum) else { throw OperationError("epsilon \(epsilon) or momentum \(momentum) out of range") }
        self.init(epsilon: epsilon, momentum: momentum)
    }

    /// `epsilon` and `momentum`.
    public var attributes: OperationAttributes { ["epsilon": .float(epsilon), "momentum": .float(momentum)] }

    /// γ and β are weights, the mean and variance running statistics.
    public func role(ofInput position: Int) -> InputRole {
        switch position {
        case 0: .data
        case 1, 2: .weight
        default: .statistic
        }
    }

    /// The data's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 5, elementTypes.allSatisfy({ $0 == .float32 }) else {
            throw OperationError("BatchNormalization takes float data, scale, bias, mean and variance")
        }
        guard shapes[0].count >= 2 else { throw OperationError("the data needs a channel dimension") }
        let channels = shapes[0][1]
        guard shapes.dropFirst().allSatisfy({ $0 == [channels] }) else { throw OperationError("the parameters are not \(channels) values each") }
        return shapes[0]
    }

    /// The data and γ (the batch statistics are saved in training).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// Normalised by the running statistics (inference) or the batch's (training, moving the running ones).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let layout = ChannelLayout(inputs[0].shape)
        let (scale, shift) = (inputs[1].scalars, inputs[2].scalars)
        guard context.mode == .training else {
            let inverse = inputs[4].scalars.map { 1 / ($0 + epsilon).squareRoot() }
            return layout.affine(inputs[0], mean: inputs[3].scalars, inverseDeviation: inverse, scale: scale, shift: shift,
                                 parallelism: context.parallelism)
        }
        let count = layout.batch * layout.spatial
        let (mean, variance) = layout.meanAndVariance(inputs[0], parallelism: context.parallelism)
        let inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let unbiased = count > 1 ? Float(count) / Float(count - 1) : 1
        let runningMean = zip(inputs[3].scalars, mean).map { momentum * $0 + (1 - momentum) * $1 }
        let runningVariance = zip(inputs[4].scalars, variance).map { momentum * $0 + (1 - momentum) * $1 * unbiased }
        context.updateStatistic(at: 3, to: Tensor(shape: [layout.channels], elements: runningMean))
        context.updateStatistic(at: 4, to: Tensor(shape: [layout.channels], elements: runningVariance))
        context.save(Tensor(shape: [layout.channels], elements: mean))
        context.save(Tensor(shape: [layout.channels], elements: inverse))
        return layout.affine(inputs[0], mean: mean, inverseDeviation: inverse, scale: scale, shift: shift, parallelism: context.parallelism)
    }

    /// The gradients of the data, γ and β: through the batch statistics after a training pass, or
    /// with the running statistics as constants after an inference-mode pass (frozen statistics).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = ChannelLayout(pass.inputShapes[0])
        let data = pass.input(0), scale = pass.input(1).scalars
        let training = pass.saved.count == 2
        let mean = training ? pass.saved[0].scalars : pass.input(3).scalars
        let inverse = training ? pass.saved[1].scalars : pass.input(4).scalars.map { 1 / ($0 + epsilon).squareRoot() }
        // Per channel: Σ dy and Σ dy · x̂.
        let (sums, weightedSums) = layout.gradientSums(data, outputGradient, mean: mean, inverseDeviation: inverse, parallelism: pass.parallelism)
        var dataGradient: Tensor?
        if pass.needsGradient[0] {
            let count = Float(layout.batch * layout.spatial)
            dataGradient = layout.dataGradient(data, outputGradient, parallelism: pass.parallelism) { channel in
                let factor = scale[channel] * inverse[channel]
                // Training: dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)); frozen: dx = γ/σ · dy.
                return training ? (factor, sums[channel] / count, weightedSums[channel] / count, mean[channel], inverse[channel])
                                : (factor, 0, 0, mean[channel], 0)
            }
        }
        return [dataGradient, pass.needsGradient[1] ? Tensor(shape: [layout.channels], elements: weightedSums) : nil,
                pass.needsGradient[2] ? Tensor(shape: [layout.channels], elements: sums) : nil, nil, nil]
    }
}

/// A tensor seen as batch × channels × positions (N × C × everything after), the layout of
/// per-channel operations.
struct ChannelLayout {
    let batch: Int, channels: Int, spatial: Int

    init(_ shape: [Int]) {
        batch = shape[0]
        channels = shape[1]
        spatial = shape.dropFirst(2).reduce(1, *)
    }

    /// `(x − mean) · inverseDeviation · scale + shift` per channel.
    func affine(_ input: Tensor, mean: [Float], inverseDeviation: [Float], scale: [Float], shift: [Float], parallelism: Parallelism) -> Tensor {
        let channels = channels, spatial = spatial
        let factors = (0..<channels).map { scale[$0] * inverseDeviation[$0] }
        let offsets = (0..<channels).map { shift[$0] - mean[$0] * factors[$0] }
        return Tensor(shape: input.shape) { output in
            input.withUnsafeBufferPointer { inputs in
                guard let inputBase = inputs.baseAddress, let outputBase = output.baseAddress else { return }
                let x = SharedReadOnlyPointer(base: UnsafeRawPointer(inputBase)), y = SharedPointer(base: outputBase)
                parallelism.forEachChunk(of: batch * channels, minimumChunkSize: max(1, 16_384 / max(1, spatial))) { maps in
                    for map in maps {
                        let channel = map % channels, factor = factors[channel], offset = offsets[channel]
                        let xs = x.base.assumingMemoryBound(to: Float.self) + map * spatial, out = y.base + map * spatial
                        for index in 0..<spatial { out[index] = xs[index] * factor + offset }
                    }
                }
            }
        }
    }

    /// Each channel's mean and (biased) variance over examples and positions: each map summed
    /// in eight float lanes, the maps in double precision, the variance from the deviations.
    func meanAndVariance(_ input: Tensor, parallelism: Parallelism) -> (mean: [Float], variance: [Float]) {
        let count = Double(max(1, batch * spatial))
        let results = perChannel(input, input, parallelism: parallelism) { first, _ in
            let average = first.reduce(0.0) { $0 + Self.laneSum($1) { $0 } } / count
            let center = Float(average)
            let squares = first.reduce(0.0) { $0 + Self.laneSum($1) { ($0 - SIMD8(repeating: center)) * ($0 - SIMD8(repeating: center)) } }
            return (center, Float(squares / count))
        }
        return (results.map(\.0), results.map(\.1))
    }

    /// Per channel: Σ dy and Σ dy · (x − mean) · inverseDeviation.
    func gradientSums(_ input: Tensor, _ gradient: Tensor, mean: [Float], inverseDeviation: [Float], parallelism: Parallelism)
        -> (sums: [Float], weightedSums: [Float]) {
        let results = perChannel(input, gradient, parallelism: parallelism) { inputs, gradients, channel in
            let center = SIMD8<Float>(repeating: mean[channel])
            var sum = 0.0, weighted = 0.0
            for (x, dy) in Swift.zip(inputs, gradients) {
                sum += Self.laneSum(dy) { $0 }
                weighted += Self.laneSum(x, dy) { ($0 - center) * $1 }
            }
            return (Float(sum), Float(weighted * Double(inverseDeviation[channel])))
        }
        return (results.map(\.0), results.map(\.1))
    }

    /// Σ term(x) over a map, eight lanes at a time (the tail one value at a time), lanes added in
    /// double precision.
    @inline(__always)
    static func laneSum(_ map: UnsafeBufferPointer<Float>, _ term: (SIMD8<Float>) -> SIMD8<Float>) -> Double {
        laneSum(map, map) { value, _ in term(value) }
    }

    /// Σ term(a, b) over two maps of one size, eight lanes at a time, lanes added in double precision.
    @inline(__always)
    static func laneSum(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>, _ term: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>) -> Double {
        var lanes = SIMD8<Float>(repeating: 0), index = 0
        let x = UnsafeRawPointer(a.baseAddress!), y = UnsafeRawPointer(b.baseAddress!)
        while index + 8 <= a.count {
            lanes += term(x.loadUnaligned(fromByteOffset: 4 * index, as: SIMD8<Float>.self), y.loadUnaligned(fromByteOffset: 4 * index, as: SIMD8<Float>.self))
            index += 8
        }
        var total = (0..<8).reduce(0.0) { $0 + Double(lanes[$1]) }
        while index < a.count {
            total += Double(term(SIMD8(repeating: a[index]), SIMD8(repeating: b[index]))[0])
            index += 1
        }
        return total
    }

    /// `factor · (dy − meanGradient − x̂ · meanWeighted)` with x̂ = (x − mean) · inverse, the
    /// per-channel constants from `constants(channel)`.
    func dataGradient(_ input: Tensor, _ gradient: Tensor, parallelism: Parallelism,
                      _ constants: (Int) -> (factor: Float, meanGradient: Float, meanWeighted: Float, mean: Float, inverse: Float)) -> Tensor {
        let table = (0..<channels).map(constants), channels = channels, spatial = spatial
        return Tensor(shape: input.shape) { output in
            input.withUnsafeBufferPointer { inputs in
                gradient.withUnsafeBufferPointer { upstream in
                    guard let inputBase = inputs.baseAddress, let outputBase = output.baseAddress else { return }
                    let x = SharedReadOnlyPointer(base: UnsafeRawPointer(inputBase)), dy = SharedReadOnlyPointer(base: UnsafeRawPointer(upstream.baseAddress!))
                    let dx = SharedPointer(base: outputBase)
                    parallelism.forEachChunk(of: batch * channels, minimumChunkSize: max(1, 16_384 / max(1, spatial))) { maps in
                        for map in maps {
                            let c = table[map % channels]
                            let xs = x.base.assumingMemoryBound(to: Float.self) + map * spatial
                            let gs = dy.base.assumingMemoryBound(to: Float.self) + map * spatial, out = dx.base + map * spatial
                            for index in 0..<spatial {
                                let normalized = (xs[index] - c.mean) * c.inverse
                                out[index] = c.factor * (gs[index] - c.meanGradient - normalized * c.meanWeighted)
                            }
                        }
                    }
                }
            }
        }
    }

    /// `compute` for every channel from its maps in both tensors (one per example), channels spread over the threads.
    private func perChannel(_ first: Tensor, _ second: Tensor, parallelism: Parallelism,
                            _ compute: @Sendable ([UnsafeBufferPointer<Float>], [UnsafeBufferPointer<Float>]) -> (Float, Float)) -> [(Float, Float)] {
        perChannel(first, second, parallelism: parallelism) { a, b, _ in compute(a, b) }
    }

    private func perChannel(_ first: Tensor, _ second: Tensor, parallelism: Parallelism,
                            _ compute: @Sendable ([UnsafeBufferPointer<Float>], [UnsafeBufferPointer<Float>], Int) -> (Float, Float)) -> [(Float, Float)] {
        var results = [(Float, Float)](repeating: (0, 0), count: channels)
        let (batch, channels, spatial) = (batch, channels, spatial)
        first.withUnsafeBufferPointer { a in
            second.withUnsafeBufferPointer { b in
                results.withUnsafeMutableBufferPointer { slots in
                    guard let aBase = a.baseAddress, let bBase = b.baseAddress else { return }
                    let left = SharedReadOnlyPointer(base: UnsafeRawPointer(aBase)), right = SharedReadOnlyPointer(base: UnsafeRawPointer(bBase))
                    let out = SharedPointer(base: slots.baseAddress!)
                    parallelism.forEachChunk(of: channels) { range in
                        for channel in range {
                            let maps = { (base: SharedReadOnlyPointer) in
                                (0..<batch).map { UnsafeBufferPointer(start: base.base.assumingMemoryBound(to: Float.self)
                                    + ($0 * channels + channel) * spatial, count: spatial) }
                            }
                            out.base[channel] = compute(maps(left), maps(right), channel)
                        }
                    }
                }
            }
        }
        return results
    }
}
