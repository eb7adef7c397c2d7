import LinearAlgebra

/// The loops of a 2-D convolution for one input and output shape: the forward pass (im2col and
/// the packed GEMM, or the vectorized depthwise kernel) and the backward pass (filter, bias and
/// data gradients). Examples are spread over the threads; a batch smaller than the thread count
/// spreads each example's maps or output channels instead.
struct ConvolutionKernels {
    let geometry: WindowGeometry
    let groups: Int
    /// N × C × H × W and N × O × outH × outW.
    let input: [Int], output: [Int]

    private var inputChannels: Int { input[1] }
    private var outputChannels: Int { output[1] }
    private var inputSize: Int { input[1] * input[2] * input[3] }
    private var outputSize: Int { output[1] * output[2] * output[3] }
    private var positions: Int { output[2] * output[3] }
    private var inputSpatial: Int { input[2] * input[3] }
    /// Whether every channel has its own single filter.
    private var isDepthwise: Bool { groups == inputChannels && outputChannels == groups }

    private var unfolding: Im2Col {
        Im2Col(geometry: geometry, channels: inputChannels / groups, height: input[2], width: input[3],
               outputHeight: output[2], outputWidth: output[3])
    }

    /// The convolution of every example, plus the bias, clamped to `clamp`.
    func forward(_ data: Tensor, filters: Tensor, bias: Tensor, clamp: ClosedRange<Float>, packed: PackedMatrix?,
                 parallelism: Parallelism) -> Tensor {
        let batch = input[0]
        // Every output value is written below (products with beta 0, or the depthwise kernel), so no zeroing pass.
        return Tensor(shape: output) { outputs in
            guard batch > 0, outputSize > 0 else { return }
            data.withUnsafeBufferPointer { inputs in
                filters.withUnsafeBufferPointer { weights in
                    bias.withUnsafeBufferPointer { biases in
                        let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                        let filter = SharedReadOnlyPointer(base: UnsafeRawPointer(weights.baseAddress!))
                        let shift = SharedReadOnlyPointer(base: UnsafeRawPointer(biases.baseAddress!))
                        let target = SharedPointer(base: outputs.baseAddress!)
                        if isDepthwise {
                            depthwise(source, filter, shift, target, clamp: clamp, parallelism: parallelism)
                        } else {
                            products(source, filter, shift, target, clamp: clamp, packed: packed, parallelism: parallelism)
                        }
                    }
                }
            }
        }
    }

    private func products(_ source: SharedReadOnlyPointer, _ filter: SharedReadOnlyPointer, _ shift: SharedReadOnlyPointer,
                          _ target: SharedPointer<Float>, clamp: ClosedRange<Float>, packed: PackedMatrix?, parallelism: Parallelism) {
        let batch = input[0], productParallelism = batch < parallelism.threadCount ? parallelism : .serial
        let unfold = unfolding, k = unfold.rows, positions = positions
        let groupInputs = inputChannels / groups, groupOutputs = outputChannels / groups
        _ = forEachExampleChunk(batch, parallelism: parallelism) { _, examples in
            let columns = geometry.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * positions)
            defer { columns?.deallocate() }
            let w = filter.base.assumingMemoryBound(to: Float.self), b = shift.base.assumingMemoryBound(to: Float.self)
            for example in examples {
                let x = source.base.assumingMemoryBound(to: Float.self) + example * inputSize
                let y = target.base + example * outputSize
                for group in 0..<groups {
                    let groupInput = x + group * groupInputs * inputSpatial
                    if let columns { unfold.unfold(groupInput, into: columns, parallelism: productParallelism) }
                    if let packed {
                        packed.multiply(UnsafePointer(columns) ?? groupInput, ldb: positions, into: y, ldc: positions, n: positions,
                                        parallelism: productParallelism)
                        continue
                    }
                    Kernels.multiply(w + group * groupOutputs * k, .none, lda: k, UnsafePointer(columns) ?? groupInput, .none,
                                     ldb: positions, into: y + group * groupOutputs * positions, ldc: positions,
                                     m: groupOutputs, n: positions, k: k, parallelism: productParallelism)
                }
                // The bias and the fused activation in one pass.
                for channel in 0..<outputChannels {
                    Kernels.add(b[channel], clamping: UnsafeMutableBufferPointer(start: y + channel * positions, count: positions), to: clamp)
                }
            }
        }
    }

    /// One map at a time through the vectorized depthwise kernel, maps spread over the threads.
    private func depthwise(_ source: SharedReadOnlyPointer, _ filter: SharedReadOnlyPointer, _ shift: SharedReadOnlyPointer,
                           _ target: SharedPointer<Float>, clamp: ClosedRange<Float>, parallelism: Parallelism) {
        let channels = inputChannels, taps = geometry.taps, geometry = geometry
        let (height, width, outputHeight, outputWidth) = (input[2], input[3], output[2], output[3])
        let inputSpatial = inputSpatial, positions = positions
        parallelism.forEachChunk(of: input[0] * channels, minimumChunkSize: 4) { maps in
            for map in maps {
                let channel = map % channels
                Kernels.depthwiseMap(source.base.assumingMemoryBound(to: Float.self) + map * inputSpatial, height: height, width: width,
                                     filter: filter.base.assumingMemoryBound(to: Float.self) + channel * taps,
                                     kernel: (geometry.kernelHeight, geometry.kernelWidth), stride: (geometry.strideY, geometry.strideX),
                                     dilation: (geometry.dilationY, geometry.dilationX), padding: (geometry.padTop, geometry.padLeft),
                                     bias: shift.base.assumingMemoryBound(to: Float.self)[channel], clampedTo: clamp,
                                     into: target.base + map * positions, outputHeight: outputHeight, outputWidth: outputWidth)
            }
        }
    }

    /// The data gradient (when `dataGradient`), and the filter and bias gradients summed over the
    /// batch (when `parameterGradients`; zeros otherwise).
    /// - Complexity: about twice the forward pass.
    func backward(_ data: Tensor, filters: Tensor, outputGradient: Tensor, dataGradient: Bool, parameterGradients: Bool,
                  parallelism: Parallelism) -> (data: Tensor?, filters: Tensor, bias: Tensor) {
        if isDepthwise {
            return depthwiseBackward(data, filters: filters, outputGradient: outputGradient, dataGradient: dataGradient, parallelism: parallelism)
        }
        let batch = input[0], unfold = unfolding, k = unfold.rows, positions = positions
        let groupInputs = inputChannels / groups, groupOutputs = outputChannels / groups
        let outputChannels = outputChannels, inputSize = inputSize, outputSize = outputSize, inputSpatial = inputSpatial
        let chunkCount = max(1, min(parallelism.threadCount, batch))
        // One block of outputChannels rows of (filter gradient, bias gradient) per chunk of examples.
        var partials = Tensor(zeros: [chunkCount * outputChannels, k + 1])
        var gradient: Tensor? = dataGradient ? Tensor(zeros: input) : nil
        if batch > 0 {
            data.withUnsafeBufferPointer { inputs in
                outputGradient.withUnsafeBufferPointer { outputs in
                    filters.withUnsafeBufferPointer { weights in
                        withOptionalMutablePointer(&gradient) { inputGradients in
                            partials.withUnsafeMutableBufferPointer { partialValues in
                                let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                                let upstream = SharedReadOnlyPointer(base: UnsafeRawPointer(outputs.baseAddress!))
                                let filter = SharedReadOnlyPointer(base: UnsafeRawPointer(weights.baseAddress!))
                                let downstream = inputGradients.map { SharedPointer(base: $0) }
                                let accumulator = SharedPointer(base: partialValues.baseAddress!)
                                _ = forEachExampleChunk(batch, parallelism: parallelism) { chunk, examples in
                                    let columns = UnsafeMutablePointer<Float>.allocate(capacity: max(1, k * positions))
                                    defer { columns.deallocate() }
                                    let w = filter.base.assumingMemoryBound(to: Float.self)
                                    let sums = accumulator.base + chunk * outputChannels * (k + 1)
                                    for example in examples {
                                        let x = source.base.assumingMemoryBound(to: Float.self) + example * inputSize
                                        let dy = upstream.base.assumingMemoryBound(to: Float.self) + example * outputSize
                                        for group in 0..<groups {
                                            let groupInput = x + group * groupInputs * inputSpatial
                                            let groupGradient = dy + group * groupOutputs * positions
                                            let unfolded: UnsafePointer<Float>
                                            if geometry.isPointwise {
                                                unfolded = groupInput
                                            } else {
                                                unfold.unfold(groupInput, into: columns)
                                                unfolded = UnsafePointer(columns)
                                            }
                                            if parameterGradients {
                                                for channel in 0..<groupOutputs {
                                                    let map = UnsafeBufferPointer(start: groupGradient + channel * positions, count: positions)
                                                    sums[(group * groupOutputs + channel) * (k + 1) + k] += map.reduce(0, +)
                                                }
                                                // dW += dY · colsᵀ (rows of k + 1: the filter, then the bias sum).
                                                Kernels.multiply(groupGradient, .none, lda: positions, unfolded, .transposed, ldb: positions,
                                                                 into: sums + group * groupOutputs * (k + 1), ldc: k + 1,
                                                                 m: groupOutputs, n: k, k: positions, beta: 1, parallelism: .serial)
                                            }
                                            guard let downstream else { continue }
                                            // dCols = Wᵀ · dY, folded back onto the input maps.
                                            let dx = downstream.base + example * inputSize + group * groupInputs * inputSpatial
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
        }
        var filterGradient = Tensor(zeros: filters.shape), biasGradient = Tensor(zeros: [outputChannels])
        partials.withUnsafeBufferPointer { partial in
            filterGradient.withUnsafeMutableBufferPointer { filterSums in
                biasGradient.withUnsafeMutableBufferPointer { biasSums in
                    for chunk in 0..<chunkCount {
                        for channel in 0..<outputChannels {
                            let row = (chunk * outputChannels + channel) * (k + 1)
                            for tap in 0..<k { filterSums[channel * k + tap] += partial[row + tap] }
                            biasSums[channel] += partial[row + k]
                        }
                    }
                }
            }
        }
        return (gradient, filterGradient, biasGradient)
    }
}

extension ConvolutionKernels {
    /// The backward pass of a depthwise convolution, one channel per thread at a time (so its
    /// filter and bias gradients and its input maps belong to that thread), each map by long
    /// vector products (`DepthwisePhases`).
    func depthwiseBackward(_ data: Tensor, filters: Tensor, outputGradient: Tensor, dataGradient: Bool,
                           parallelism: Parallelism) -> (data: Tensor?, filters: Tensor, bias: Tensor) {
        let (batch, channels, height, width) = (input[0], input[1], input[2], input[3])
        let layout = DepthwisePhases(geometry, height: height, width: width, outputHeight: output[2], outputWidth: output[3])
        let taps = geometry.taps, outputSpatial = output[2] * output[3]
        var filterGradient = Tensor(zeros: filters.shape), biasGradient = Tensor(zeros: [channels])
        var gradient: Tensor? = dataGradient ? Tensor(zeros: input) : nil
        data.withUnsafeBufferPointer { inputs in
            outputGradient.withUnsafeBufferPointer { outputs in
                filters.withUnsafeBufferPointer { weights in
                    filterGradient.withUnsafeMutableBufferPointer { filterSums in
                        biasGradient.withUnsafeMutableBufferPointer { biasSums in
                            withOptionalMutablePointer(&gradient) { inputGradients in
                                let x = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                                let dy = SharedReadOnlyPointer(base: UnsafeRawPointer(outputs.baseAddress!))
                                let w = SharedReadOnlyPointer(base: UnsafeRawPointer(weights.baseAddress!))
                                let dw = SharedPointer(base: filterSums.baseAddress!), db = SharedPointer(base: biasSums.baseAddress!)
                                let dx = inputGradients.map { SharedPointer(base: $0) }
                                parallelism.forEachChunk(of: channels) { range in
                                    var scratch = DepthwisePhases.Scratch(layout, inputGradient: dx != nil)
                                    for channel in range {
                                        for example in 0..<batch {
                                            let map = example * channels + channel
                                            let upstream = dy.base.assumingMemoryBound(to: Float.self) + map * outputSpatial
                                            db.base[channel] += Float(ChannelLayout.laneSum(UnsafeBufferPointer(start: upstream, count: outputSpatial)) { $0 })
                                            layout.backward(source: x.base.assumingMemoryBound(to: Float.self) + map * height * width, upstream: upstream,
                                                            filter: w.base.assumingMemoryBound(to: Float.self) + channel * taps,
                                                            filterGradient: dw.base + channel * taps,
                                                            inputGradient: dx.map { $0.base + map * height * width }, scratch: &scratch)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (gradient, filterGradient, biasGradient)
    }
}

/// Calls `body` with the base address of `tensor`'s floats, or nil when there is none.
func withOptionalMutablePointer<R>(_ tensor: inout Tensor?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard tensor != nil else { return body(nil) }
    return tensor!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
