import LinearAlgebra

/// A 2-D convolution over NCHW maps, as PyTorch's `Conv2d` and ONNX's `Conv`: `groups` splits the
/// input and output channels into that many independent convolutions (`groups == inputChannels`
/// is depthwise). Each group is unfolded (im2col) and multiplied by the packed GEMM; a pointwise
/// 1 × 1 convolution multiplies the maps directly. Examples are spread over the cores.
public struct Convolution2D: Sendable {
    /// `outputChannels` × (`inputChannels / groups` · kernel rows · kernel columns): each output
    /// channel's filter, taps in (channel, row, column) order as PyTorch stores them.
    public var weights: Matrix
    /// One per output channel.
    public var bias: [Float]
    /// The window.
    public let geometry: WindowGeometry
    /// Independent channel groups.
    public let groups: Int
    /// The input channels it reads.
    public let inputChannels: Int

    /// A convolution with these parameters.
    /// - Precondition: the channel counts divide by `groups` and `weights` has one row of
    ///   `inputChannels / groups · taps` per output channel, with one bias each.
    public init(weights: Matrix, bias: [Float], inputChannels: Int, geometry: WindowGeometry, groups: Int = 1) {
        precondition(groups >= 1 && inputChannels % groups == 0 && weights.rows % groups == 0
                     && weights.columns == inputChannels / groups * geometry.taps && bias.count == weights.rows,
                     "Convolution2D: \(weights.rows)×\(weights.columns) weights, \(bias.count) biases for \(inputChannels) inputs in \(groups) groups")
        self.weights = weights
        self.bias = bias
        self.inputChannels = inputChannels
        self.geometry = geometry
        self.groups = groups
    }

    /// A convolution with He-normal filters (for a ReLU after it) and zero biases.
    public init<G: RandomNumberGenerator>(inputChannels: Int, outputChannels: Int, geometry: WindowGeometry, groups: Int = 1,
                                          using generator: inout G) {
        self.init(weights: Matrix(rows: outputChannels, columns: inputChannels / groups * geometry.taps,
                                  initializer: .heNormal, using: &generator),
                  bias: [Float](repeating: 0, count: outputChannels), inputChannels: inputChannels, geometry: geometry, groups: groups)
    }

    /// A convolution of the same shape with every parameter 0 (a gradient or optimizer moment to accumulate into).
    public init(zeroLike layer: Convolution2D) {
        self.init(weights: Matrix(rows: layer.weights.rows, columns: layer.weights.columns),
                  bias: [Float](repeating: 0, count: layer.bias.count), inputChannels: layer.inputChannels,
                  geometry: layer.geometry, groups: layer.groups)
    }

    /// The output channels.
    public var outputChannels: Int { weights.rows }

    /// The output shape for `input` (nil when the channels disagree or no window fits).
    public func outputShape(for input: MapShape) -> MapShape? {
        guard input.channels == inputChannels, let size = geometry.outputSize(height: input.height, width: input.width) else { return nil }
        return MapShape(channels: outputChannels, height: size.height, width: size.width)
    }

    private func unfolding(_ input: MapShape, _ output: MapShape) -> Im2Col {
        Im2Col(geometry: geometry, channels: inputChannels / groups, height: input.height, width: input.width,
               outputHeight: output.height, outputWidth: output.width)
    }

    /// Whether every channel has its own single filter (a depthwise convolution).
    var isDepthwise: Bool { groups == inputChannels && outputChannels == groups }

    /// The convolution of every example in `input`, optionally clamped (a fused ReLU or ReLU6).
    /// Examples are spread over the threads; a batch smaller than the thread count spreads each
    /// example's channels (depthwise) or output channels (matrix products) instead.
    /// - Precondition: `outputShape(for: input.shape)` exists.
    /// - Complexity: O(batch × output positions × output channels × input channels / groups × taps).
    /// - Parameters:
    ///   - input: the examples.
    ///   - clamp: the range outputs are clamped to (nil: none).
    ///   - packedWeights: `weights` packed once (`PackedMatrix(weights)`) for a convolution of
    ///     one group that runs many times with the same weights (inference); nil packs them per product.
    ///   - parallelism: the threads to use.
    public func forward(_ input: FeatureMaps, clampedTo clamp: ClosedRange<Float>? = nil, packedWeights: PackedMatrix? = nil,
                        parallelism: Parallelism = .available) -> FeatureMaps {
        precondition(packedWeights == nil || groups == 1, "Convolution2D: packed weights are for one group")
        guard let shape = outputShape(for: input.shape) else {
            preconditionFailure("Convolution2D: input \(input.shape) does not fit \(inputChannels) channels and window \(geometry)")
        }
        // Every output value is written below (products with beta 0, or the depthwise kernel), so no zeroing pass.
        var output = FeatureMaps(batchToBeWritten: input.batch, shape: shape)
        guard input.batch > 0 else { return output }
        if isDepthwise {
            depthwiseForward(input, into: &output, clamp: clamp ?? -Float.infinity...Float.infinity, parallelism: parallelism)
            return output
        }
        let productParallelism = input.batch < parallelism.threadCount ? parallelism : .serial
        let unfold = unfolding(input.shape, shape)
        let groupInputs = inputChannels / groups, groupOutputs = outputChannels / groups
        let positions = shape.spatialCount, inputSize = input.shape.count, k = unfold.rows
        input.values.withUnsafeBufferPointer { inputs in
            weights.withUnsafeBufferPointer { filters in
                bias.withUnsafeBufferPointer { bias in
                    output.values.withUnsafeMutableBufferPointer { outputs in
                        let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                        let target = SharedPointer(base: outputs.baseAddress!)
                        let filter = SharedReadOnlyPointer(base: UnsafeRawPointer(filters.baseAddress!))
                        let biases = SharedReadOnlyPointer(base: UnsafeRawPointer(bias.baseAddress!))
                        _ = forEachExampleChunk(input.batch, parallelism: parallelism) { _, examples in
                            let columns = geometry.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * positions)
                            defer { columns?.deallocate() }
                            let w = filter.base.assumingMemoryBound(to: Float.self), b = biases.base.assumingMemoryBound(to: Float.self)
                            for example in examples {
                                let x = source.base.assumingMemoryBound(to: Float.self) + example * inputSize
                                let y = target.base + example * shape.count
                                for group in 0..<groups {
                                    let groupInput = x + group * groupInputs * input.shape.spatialCount
                                    if let columns { unfold.unfold(groupInput, into: columns) }
                                    if let packedWeights {
                                        packedWeights.multiply(UnsafePointer(columns) ?? groupInput, ldb: positions, into: y, ldc: positions,
                                                               n: positions, parallelism: productParallelism)
                                        continue
                                    }
                                    Kernels.multiply(w + group * groupOutputs * k, .none, lda: k, UnsafePointer(columns) ?? groupInput,
                                                     .none, ldb: positions, into: y + group * groupOutputs * positions, ldc: positions,
                                                     m: groupOutputs, n: positions, k: k, parallelism: productParallelism)
                                }
                                // The bias and the fused activation in one pass.
                                for channel in 0..<outputChannels {
                                    Kernels.add(b[channel], clamping: UnsafeMutableBufferPointer(start: y + channel * positions, count: positions),
                                                to: clamp ?? -Float.infinity...Float.infinity)
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// The depthwise case: one map at a time through the vectorized kernel, maps spread over the threads.
    private func depthwiseForward(_ input: FeatureMaps, into output: inout FeatureMaps, clamp: ClosedRange<Float>, parallelism: Parallelism) {
        let inputShape = input.shape, shape = output.shape, geometry = geometry, taps = geometry.taps
        input.values.withUnsafeBufferPointer { inputs in
            weights.withUnsafeBufferPointer { filters in
                bias.withUnsafeBufferPointer { bias in
                    output.values.withUnsafeMutableBufferPointer { outputs in
                        let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                        let filter = SharedReadOnlyPointer(base: UnsafeRawPointer(filters.baseAddress!))
                        let biases = SharedReadOnlyPointer(base: UnsafeRawPointer(bias.baseAddress!))
                        let target = SharedPointer(base: outputs.baseAddress!)
                        parallelism.forEachChunk(of: input.batch * inputShape.channels, minimumChunkSize: 4) { maps in
                            for map in maps {
                                let channel = map % inputShape.channels
                                Kernels.depthwiseMap(source.base.assumingMemoryBound(to: Float.self) + map * inputShape.spatialCount,
                                                     height: inputShape.height, width: inputShape.width,
                                                     filter: filter.base.assumingMemoryBound(to: Float.self) + channel * taps,
                                                     kernel: (geometry.kernelHeight, geometry.kernelWidth), stride: (geometry.strideY, geometry.strideX),
                                                     dilation: (geometry.dilationY, geometry.dilationX), padding: (geometry.padTop, geometry.padLeft),
                                                     bias: biases.base.assumingMemoryBound(to: Float.self)[channel], clampedTo: clamp,
                                                     into: target.base + map * shape.spatialCount, outputHeight: shape.height, outputWidth: shape.width)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Backpropagates `outputGradient` (the loss gradient at this layer's output for `input`):
    /// returns the gradient at the input (nil unless `inputGradient`) and the parameter
    /// gradients summed over the batch, as a convolution of the same shape.
    /// - Complexity: twice the forward pass.
    public func backward(_ input: FeatureMaps, outputGradient: FeatureMaps, inputGradient: Bool,
                         parallelism: Parallelism = .available) -> (input: FeatureMaps?, parameters: Convolution2D) {
        let shape = outputGradient.shape
        precondition(outputShape(for: input.shape) == shape && input.batch == outputGradient.batch, "Convolution2D.backward: shapes disagree")
        let unfold = unfolding(input.shape, shape)
        let groupInputs = inputChannels / groups, groupOutputs = outputChannels / groups
        let positions = shape.spatialCount, inputSize = input.shape.count, k = unfold.rows
        let chunkCount = max(1, min(parallelism.threadCount, input.batch))
        // One block of outputChannels rows of (filter gradient, bias gradient) per chunk of examples.
        var partials = Matrix(rows: chunkCount * outputChannels, columns: k + 1)
        var gradient = inputGradient ? FeatureMaps(batch: input.batch, shape: input.shape) : nil
        guard input.batch > 0 else { return (gradient, Convolution2D(zeroLike: self)) }
        input.values.withUnsafeBufferPointer { inputs in
            outputGradient.values.withUnsafeBufferPointer { outputs in
                weights.withUnsafeBufferPointer { filters in
                    withOptionalMutablePointer(&gradient) { inputGradients in
                        partials.withUnsafeMutableBufferPointer { partialValues in
                            let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                            let upstream = SharedReadOnlyPointer(base: UnsafeRawPointer(outputs.baseAddress!))
                            let filter = SharedReadOnlyPointer(base: UnsafeRawPointer(filters.baseAddress!))
                            let downstream = inputGradients.map { SharedPointer(base: $0) }
                            let accumulator = SharedPointer(base: partialValues.baseAddress!)
                            _ = forEachExampleChunk(input.batch, parallelism: parallelism) { chunk, examples in
                                let columns = UnsafeMutablePointer<Float>.allocate(capacity: k * positions)
                                defer { columns.deallocate() }
                                let w = filter.base.assumingMemoryBound(to: Float.self)
                                let sums = accumulator.base + chunk * outputChannels * (k + 1)
                                for example in examples {
                                    let x = source.base.assumingMemoryBound(to: Float.self) + example * inputSize
                                    let dy = upstream.base.assumingMemoryBound(to: Float.self) + example * shape.count
                                    for channel in 0..<outputChannels {
                                        let map = UnsafeBufferPointer(start: dy + channel * positions, count: positions)
                                        sums[channel * (k + 1) + k] += map.reduce(0, +)
                                    }
                                    for group in 0..<groups {
                                        let groupInput = x + group * groupInputs * input.shape.spatialCount
                                        let groupGradient = dy + group * groupOutputs * positions
                                        let unfolded: UnsafePointer<Float>
                                        if geometry.isPointwise {
                                            unfolded = groupInput
                                        } else {
                                            unfold.unfold(groupInput, into: columns)
                                            unfolded = UnsafePointer(columns)
                                        }
                                        // dW += dY · colsᵀ (rows of k + 1: the filter, then the bias sum).
                                        Kernels.multiply(groupGradient, .none, lda: positions, unfolded, .transposed, ldb: positions,
                                                         into: sums + group * groupOutputs * (k + 1), ldc: k + 1,
                                                         m: groupOutputs, n: k, k: positions, beta: 1, parallelism: .serial)
                                        guard let downstream else { continue }
                                        // dCols = Wᵀ · dY, folded back onto the input maps.
                                        let dx = downstream.base + example * inputSize + group * groupInputs * input.shape.spatialCount
                                        if geometry.isPointwise {
                                            Kernels.multiply(w + group * groupOutputs * k, .transposed, lda: k, groupGradient, .none,
                                                             ldb: positions, into: dx, ldc: positions, m: k, n: positions,
                                                             k: groupOutputs, beta: 1, parallelism: .serial)
                                        } else {
                                            Kernels.multiply(w + group * groupOutputs * k, .transposed, lda: k, groupGradient, .none,
                                                             ldb: positions, into: columns, ldc: positions, m: k, n: positions,
                                                             k: groupOutputs, parallelism: .serial)
                                            unfold.fold(columns, addingInto: dx)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        var filterGradient = Matrix(rows: outputChannels, columns: k)
        var biasGradient = [Float](repeating: 0, count: outputChannels)
        for chunk in 0..<chunkCount {
            for channel in 0..<outputChannels {
                let row = chunk * outputChannels + channel
                for tap in 0..<k { filterGradient[channel, tap] += partials[row, tap] }
                biasGradient[channel] += partials[row, k]
            }
        }
        return (gradient, Convolution2D(weights: filterGradient, bias: biasGradient, inputChannels: inputChannels,
                                        geometry: geometry, groups: groups))
    }
}

/// Calls `body` with the base address of `maps`' values, or nil when there are none.
func withOptionalMutablePointer<R>(_ maps: inout FeatureMaps?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard maps != nil else { return body(nil) }
    return maps!.values.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
