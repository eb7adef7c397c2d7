import Foundation
import LinearAlgebra

/// Batch normalisation per channel (PyTorch's `BatchNorm2d`, or `BatchNorm1d` on features
/// `× 1 × 1`; ONNX's `BatchNormalization`): in training, each channel is normalised by the
/// batch's mean and variance over examples and positions, and the running statistics move by
/// `momentum` (the variance's unbiased estimate, as PyTorch); in inference the running
/// statistics are used, which folds into the preceding convolution (`folded(into:)`).
public struct BatchNormalization: Sendable {
    /// γ, one per channel.
    public var scale: [Float]
    /// β, one per channel.
    public var shift: [Float]
    /// The running mean per channel.
    public var runningMean: [Float]
    /// The running (unbiased) variance per channel.
    public var runningVariance: [Float]
    /// Added to the variance before the square root.
    public let epsilon: Float
    /// The weight of a batch's statistics in the running ones.
    public let momentum: Float

    /// A layer with these parameters and statistics.
    /// - Precondition: four arrays of one value per channel.
    public init(scale: [Float], shift: [Float], runningMean: [Float], runningVariance: [Float], epsilon: Float = 1e-5,
                momentum: Float = 0.1) {
        precondition(shift.count == scale.count && runningMean.count == scale.count && runningVariance.count == scale.count,
                     "BatchNormalization: \(scale.count), \(shift.count), \(runningMean.count), \(runningVariance.count) values")
        self.scale = scale
        self.shift = shift
        self.runningMean = runningMean
        self.runningVariance = runningVariance
        self.epsilon = epsilon
        self.momentum = momentum
    }

    /// A fresh layer: γ = 1, β = 0, running mean 0 and variance 1.
    public init(channels: Int) {
        let zeros = [Float](repeating: 0, count: channels), ones = [Float](repeating: 1, count: channels)
        self.init(scale: ones, shift: zeros, runningMean: zeros, runningVariance: ones)
    }

    /// A layer of the same shape with every value 0 (a gradient or optimizer moment).
    public init(zeroLike layer: BatchNormalization) {
        let zeros = [Float](repeating: 0, count: layer.channels)
        self.init(scale: zeros, shift: zeros, runningMean: zeros, runningVariance: zeros, epsilon: layer.epsilon,
                  momentum: layer.momentum)
    }

    /// The channels it normalises.
    public var channels: Int { scale.count }

    /// A batch's per-channel mean and 1 / √(variance + ε), kept for the backward pass.
    public struct BatchStatistics: Sendable {
        let mean: [Float]
        let inverseDeviation: [Float]
    }

    /// Normalises with the running statistics (inference).
    public func forward(_ input: FeatureMaps, parallelism: Parallelism = .available) -> FeatureMaps {
        let inverse = runningVariance.map { 1 / ($0 + epsilon).squareRoot() }
        return normalized(input, mean: runningMean, inverseDeviation: inverse, parallelism: parallelism)
    }

    /// Normalises with the batch's statistics and moves the running statistics towards them.
    /// - Precondition: more than one value per channel in the batch.
    public mutating func trainingForward(_ input: FeatureMaps, parallelism: Parallelism = .available)
        -> (output: FeatureMaps, statistics: BatchStatistics) {
        let count = input.batch * input.shape.spatialCount
        precondition(input.shape.channels == channels && count > 1, "BatchNormalization: \(input.shape) × \(input.batch) for \(channels) channels")
        var mean = [Float](repeating: 0, count: channels), variance = [Float](repeating: 0, count: channels)
        forEachChannel(input, parallelism: parallelism) { channel, maps in
            var sum = 0.0
            for map in maps { sum += map.reduce(0.0) { $0 + Double($1) } }
            let average = sum / Double(count)
            var squares = 0.0
            for map in maps { squares += map.reduce(0.0) { $0 + (Double($1) - average) * (Double($1) - average) } }
            return (Float(average), Float(squares / Double(count)))
        } store: { channel, result in
            mean[channel] = result.0
            variance[channel] = result.1
        }
        let inverse = variance.map { 1 / ($0 + epsilon).squareRoot() }
        let unbiased = Float(count) / Float(count - 1)
        for channel in 0..<channels {
            runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * mean[channel]
            runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * variance[channel] * unbiased
        }
        return (normalized(input, mean: mean, inverseDeviation: inverse, parallelism: parallelism),
                BatchStatistics(mean: mean, inverseDeviation: inverse))
    }

    /// Backpropagates through a training-mode pass: the input gradient and the gradients of γ
    /// and β (in a layer of the same shape; its running statistics are 0).
    public func backward(_ input: FeatureMaps, statistics: BatchStatistics, outputGradient: FeatureMaps,
                         parallelism: Parallelism = .available) -> (input: FeatureMaps, parameters: BatchNormalization) {
        let count = Float(input.batch * input.shape.spatialCount)
        var parameters = BatchNormalization(zeroLike: self)
        // Per channel: Σ dy and Σ dy · x̂.
        forEachChannelPair(input, outputGradient, parallelism: parallelism) { channel, inputs, gradients in
            let mean = statistics.mean[channel], inverse = statistics.inverseDeviation[channel]
            var sum = 0.0, weighted = 0.0
            for (x, dy) in zip(inputs, gradients) {
                for index in x.indices {
                    sum += Double(dy[index])
                    weighted += Double(dy[index]) * Double((x[index] - mean) * inverse)
                }
            }
            return (Float(sum), Float(weighted))
        } store: { channel, result in
            parameters.shift[channel] = result.0
            parameters.scale[channel] = result.1
        }
        var gradient = FeatureMaps(batch: input.batch, shape: input.shape)
        let spatial = input.shape.spatialCount, channels = channels
        let sums = parameters.shift, weightedSums = parameters.scale, scale = scale
        input.values.withUnsafeBufferPointer { inputs in
            outputGradient.values.withUnsafeBufferPointer { upstream in
                gradient.values.withUnsafeMutableBufferPointer { downstream in
                    let x = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                    let dy = SharedReadOnlyPointer(base: UnsafeRawPointer(upstream.baseAddress!))
                    let dx = SharedPointer(base: downstream.baseAddress!)
                    parallelism.forEachChunk(of: input.batch * channels, minimumChunkSize: max(1, 16_384 / spatial)) { maps in
                        for map in maps {
                            let channel = map % channels
                            let mean = statistics.mean[channel], inverse = statistics.inverseDeviation[channel]
                            let meanGradient = sums[channel] / count, meanWeighted = weightedSums[channel] / count
                            let factor = scale[channel] * inverse
                            let xs = x.base.assumingMemoryBound(to: Float.self) + map * spatial
                            let gs = dy.base.assumingMemoryBound(to: Float.self) + map * spatial, out = dx.base + map * spatial
                            for index in 0..<spatial {
                                let normalized = (xs[index] - mean) * inverse
                                out[index] = factor * (gs[index] - meanGradient - normalized * meanWeighted)
                            }
                        }
                    }
                }
            }
        }
        return (gradient, parameters)
    }

    /// The convolution that computes this layer applied after `convolution` (inference only):
    /// each filter scaled by γ / √(var + ε), its bias moved accordingly.
    public func folded(into convolution: Convolution2D) -> Convolution2D {
        precondition(convolution.outputChannels == channels, "folded: \(convolution.outputChannels) channels into \(channels)")
        var result = convolution
        for channel in 0..<channels {
            let factor = scale[channel] / (runningVariance[channel] + epsilon).squareRoot()
            for tap in 0..<result.weights.columns { result.weights[channel, tap] *= factor }
            result.bias[channel] = (convolution.bias[channel] - runningMean[channel]) * factor + shift[channel]
        }
        return result
    }

    private func normalized(_ input: FeatureMaps, mean: [Float], inverseDeviation: [Float], parallelism: Parallelism) -> FeatureMaps {
        precondition(input.shape.channels == channels, "BatchNormalization: \(input.shape) for \(channels) channels")
        var output = FeatureMaps(batch: input.batch, shape: input.shape)
        let spatial = input.shape.spatialCount, channels = channels, scale = scale, shift = shift
        input.values.withUnsafeBufferPointer { inputs in
            output.values.withUnsafeMutableBufferPointer { outputs in
                guard let inputBase = inputs.baseAddress, let outputBase = outputs.baseAddress else { return }
                let x = SharedReadOnlyPointer(base: UnsafeRawPointer(inputBase)), y = SharedPointer(base: outputBase)
                parallelism.forEachChunk(of: input.batch * channels, minimumChunkSize: max(1, 16_384 / spatial)) { maps in
                    for map in maps {
                        let channel = map % channels
                        let factor = scale[channel] * inverseDeviation[channel]
                        let offset = shift[channel] - mean[channel] * factor
                        let xs = x.base.assumingMemoryBound(to: Float.self) + map * spatial, out = y.base + map * spatial
                        for index in 0..<spatial { out[index] = xs[index] * factor + offset }
                    }
                }
            }
        }
        return output
    }

    /// Computes a value per channel from the channel's maps (one per example), channels spread
    /// over the cores, then stores each in order.
    private func forEachChannel(_ input: FeatureMaps, parallelism: Parallelism,
                                _ compute: @Sendable (Int, [UnsafeBufferPointer<Float>]) -> (Float, Float),
                                store: (Int, (Float, Float)) -> Void) {
        forEachChannelPair(input, input, parallelism: parallelism, { channel, maps, _ in compute(channel, maps) }, store: store)
    }

    private func forEachChannelPair(_ first: FeatureMaps, _ second: FeatureMaps, parallelism: Parallelism,
                                    _ compute: @Sendable (Int, [UnsafeBufferPointer<Float>], [UnsafeBufferPointer<Float>]) -> (Float, Float),
                                    store: (Int, (Float, Float)) -> Void) {
        var results = [(Float, Float)](repeating: (0, 0), count: channels)
        let spatial = first.shape.spatialCount, channels = channels, batch = first.batch
        first.values.withUnsafeBufferPointer { a in
            second.values.withUnsafeBufferPointer { b in
                results.withUnsafeMutableBufferPointer { slots in
                    let left = SharedReadOnlyPointer(base: UnsafeRawPointer(a.baseAddress!))
                    let right = SharedReadOnlyPointer(base: UnsafeRawPointer(b.baseAddress!))
                    let out = SharedPointer(base: slots.baseAddress!)
                    parallelism.forEachChunk(of: channels) { range in
                        for channel in range {
                            let maps = { (base: SharedReadOnlyPointer) in
                                (0..<batch).map { UnsafeBufferPointer(start: base.base.assumingMemoryBound(to: Float.self)
                                    + ($0 * channels + channel) * spatial, count: spatial) }
                            }
                            out.base[channel] = compute(channel, maps(left), maps(right))
                        }
                    }
                }
            }
        }
        for channel in 0..<channels { store(channel, results[channel]) }
    }
}
