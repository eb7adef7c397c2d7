import LinearAlgebra

/// Max or average pooling over windows of each map (PyTorch's `MaxPool2d`/`AvgPool2d`, ONNX's
/// `MaxPool`/`AveragePool`); padding never wins a max, and an average counts the padding only
/// when `countsPadding` (PyTorch's default `count_include_pad=True`; ONNX's default is false).
public struct Pooling2D: Sendable, Hashable, Codable {
    /// What a window becomes.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Its largest value.
        case max
        /// Its mean.
        case average
    }

    /// Max or average.
    public let kind: Kind
    /// The window (dilation is used by max pooling only).
    public let geometry: WindowGeometry
    /// Whether an average divides by the whole window, padding included.
    public let countsPadding: Bool

    /// A pooling layer.
    public init(_ kind: Kind, geometry: WindowGeometry, countsPadding: Bool = true) {
        self.kind = kind
        self.geometry = geometry
        self.countsPadding = countsPadding
    }

    /// The output shape for `input` (nil when no window fits).
    public func outputShape(for input: MapShape) -> MapShape? {
        guard let size = geometry.outputSize(height: input.height, width: input.width) else { return nil }
        return MapShape(channels: input.channels, height: size.height, width: size.width)
    }

    /// Pools every map of `input`.
    /// - Precondition: `outputShape(for: input.shape)` exists.
    /// - Complexity: O(batch × channels × output positions × taps).
    public func forward(_ input: FeatureMaps, parallelism: Parallelism = .available) -> FeatureMaps {
        guard let shape = outputShape(for: input.shape) else { preconditionFailure("Pooling2D: no window fits \(input.shape)") }
        var output = FeatureMaps(batch: input.batch, shape: shape)
        let windows = Windows(self, input: input.shape, output: shape)
        let kind = kind, inputSpatial = input.shape.spatialCount, positions = shape.spatialCount
        input.values.withUnsafeBufferPointer { inputs in
            output.values.withUnsafeMutableBufferPointer { outputs in
                let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!)), target = SharedPointer(base: outputs.baseAddress!)
                windows.forEachMapChunk(count: input.batch * input.shape.channels, parallelism: parallelism) { maps, offsets, starts, divisors in
                    for mapIndex in maps {
                        let map = source.base.assumingMemoryBound(to: Float.self) + mapIndex * inputSpatial
                        let out = target.base + mapIndex * positions
                        for position in 0..<positions {
                            let taps = starts[position]..<starts[position + 1]
                            switch kind {
                            case .max:
                                var best = -Float.infinity
                                for tap in taps { best = Swift.max(best, map[offsets[tap]]) }
                                out[position] = best
                            case .average:
                                var sum: Float = 0
                                for tap in taps { sum += map[offsets[tap]] }
                                out[position] = sum / divisors[position]
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// The gradient at the input: each output's gradient goes to its window's (first) maximum,
    /// or is spread evenly over the window for averages.
    public func backward(_ input: FeatureMaps, outputGradient: FeatureMaps, parallelism: Parallelism = .available) -> FeatureMaps {
        precondition(outputShape(for: input.shape) == outputGradient.shape, "Pooling2D.backward: shapes disagree")
        var gradient = FeatureMaps(batch: input.batch, shape: input.shape)
        let shape = outputGradient.shape
        let windows = Windows(self, input: input.shape, output: shape)
        let kind = kind, inputSpatial = input.shape.spatialCount, positions = shape.spatialCount
        input.values.withUnsafeBufferPointer { inputs in
            outputGradient.values.withUnsafeBufferPointer { upstream in
                gradient.values.withUnsafeMutableBufferPointer { gradients in
                    let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                    let dy = SharedReadOnlyPointer(base: UnsafeRawPointer(upstream.baseAddress!)), target = SharedPointer(base: gradients.baseAddress!)
                    windows.forEachMapChunk(count: input.batch * input.shape.channels, parallelism: parallelism) { maps, offsets, starts, divisors in
                        for mapIndex in maps {
                            let map = source.base.assumingMemoryBound(to: Float.self) + mapIndex * inputSpatial
                            let g = dy.base.assumingMemoryBound(to: Float.self) + mapIndex * positions
                            let dx = target.base + mapIndex * inputSpatial
                            for position in 0..<positions {
                                let taps = starts[position]..<starts[position + 1]
                                switch kind {
                                case .max:
                                    var best = -Float.infinity, winner = -1
                                    for tap in taps where map[offsets[tap]] > best {
                                        best = map[offsets[tap]]
                                        winner = offsets[tap]
                                    }
                                    if winner >= 0 { dx[winner] += g[position] }
                                case .average:
                                    let share = g[position] / divisors[position]
                                    for tap in taps { dx[offsets[tap]] += share }
                                }
                            }
                        }
                    }
                }
            }
        }
        return gradient
    }

    /// The in-bounds input offsets of every output position's window, flat (`offsets[starts[p]..<starts[p + 1]]`),
    /// and each position's average divisor — computed once per call for all maps.
    private struct Windows {
        var offsets: [Int] = [], starts: [Int] = [0], divisors: [Float] = []

        init(_ pooling: Pooling2D, input: MapShape, output: MapShape) {
            let geometry = pooling.geometry
            for oy in 0..<output.height {
                for ox in 0..<output.width {
                    for ky in 0..<geometry.kernelHeight {
                        let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                        guard iy >= 0 && iy < input.height else { continue }
                        for kx in 0..<geometry.kernelWidth {
                            let ix = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                            if ix >= 0 && ix < input.width { offsets.append(iy * input.width + ix) }
                        }
                    }
                    let inBounds = offsets.count - starts.last!
                    starts.append(offsets.count)
                    // PyTorch clips the window to the padded input before dividing.
                    let y0 = oy * geometry.strideY - geometry.padTop, x0 = ox * geometry.strideX - geometry.padLeft
                    let y1 = Swift.min(y0 + geometry.kernelHeight, input.height + geometry.padBottom)
                    let x1 = Swift.min(x0 + geometry.kernelWidth, input.width + geometry.padRight)
                    divisors.append(Float(pooling.countsPadding ? (y1 - y0) * (x1 - x0) : Swift.max(1, inBounds)))
                }
            }
        }

        /// Runs `body` on chunks of the `count` maps, concurrently, with the tables as pointers.
        func forEachMapChunk(count: Int, parallelism: Parallelism,
                             _ body: @Sendable (Range<Int>, UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Float>) -> Void) {
            guard count > 0 else { return }
            offsets.withUnsafeBufferPointer { offsets in
                starts.withUnsafeBufferPointer { starts in
                    divisors.withUnsafeBufferPointer { divisors in
                        let tables = (SharedReadOnlyPointer(base: UnsafeRawPointer(offsets.baseAddress ?? UnsafePointer(bitPattern: 8)!)),
                                      SharedReadOnlyPointer(base: UnsafeRawPointer(starts.baseAddress!)),
                                      SharedReadOnlyPointer(base: UnsafeRawPointer(divisors.baseAddress!)))
                        let perMap = Swift.max(1, starts.last!)
                        parallelism.forEachChunk(of: count, minimumChunkSize: Swift.max(1, 16_384 / perMap)) { maps in
                            body(maps, tables.0.base.assumingMemoryBound(to: Int.self), tables.1.base.assumingMemoryBound(to: Int.self),
                                 tables.2.base.assumingMemoryBound(to: Float.self))
                        }
                    }
                }
            }
        }
    }
}
