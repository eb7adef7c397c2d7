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
        visitWindows(input, shape, &output, parallelism: parallelism) { map, out, oy, ox, taps in
            switch kind {
            case .max:
                var best = -Float.infinity
                for tap in taps { best = Swift.max(best, map[tap]) }
                out[oy * shape.width + ox] = best
            case .average:
                var sum: Float = 0
                for tap in taps { sum += map[tap] }
                out[oy * shape.width + ox] = sum / Float(countsPadding ? clippedCount(oy, ox, input.shape) : taps.count)
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
        outputGradient.values.withUnsafeBufferPointer { upstream in
            let dy = SharedReadOnlyPointer(base: UnsafeRawPointer(upstream.baseAddress!))
            visitWindows(input, shape, &gradient, parallelism: parallelism, writesInput: true) { map, dx, oy, ox, taps, mapIndex in
                let g = dy.base.assumingMemoryBound(to: Float.self)[mapIndex * shape.spatialCount + oy * shape.width + ox]
                switch kind {
                case .max:
                    var best = -Float.infinity, winner = -1
                    for tap in taps where map[tap] > best {
                        best = map[tap]
                        winner = tap
                    }
                    if winner >= 0 { dx[winner] += g }
                case .average:
                    let share = g / Float(countsPadding ? clippedCount(oy, ox, input.shape) : taps.count)
                    for tap in taps { dx[tap] += share }
                }
            }
        }
        return gradient
    }

    /// The window size counted with padding but not beyond it (PyTorch clips the window to the
    /// padded input before dividing).
    private func clippedCount(_ oy: Int, _ ox: Int, _ input: MapShape) -> Int {
        let y0 = oy * geometry.strideY - geometry.padTop, x0 = ox * geometry.strideX - geometry.padLeft
        let y1 = Swift.min(y0 + geometry.kernelHeight, input.height + geometry.padBottom)
        let x1 = Swift.min(x0 + geometry.kernelWidth, input.width + geometry.padRight)
        return (y1 - y0) * (x1 - x0)
    }

    /// Calls `body` for every output position of every map with the in-bounds input offsets of
    /// its window, the map's input values and the map to write (output, or input gradient).
    private func visitWindows(_ input: FeatureMaps, _ shape: MapShape, _ target: inout FeatureMaps, parallelism: Parallelism,
                              _ body: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, [Int]) -> Void) {
        visitWindows(input, shape, &target, parallelism: parallelism, writesInput: false) { map, out, oy, ox, taps, _ in
            body(map, out, oy, ox, taps)
        }
    }

    private func visitWindows(_ input: FeatureMaps, _ shape: MapShape, _ target: inout FeatureMaps, parallelism: Parallelism,
                              writesInput: Bool,
                              _ body: @escaping (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Int, Int, [Int], Int) -> Void) {
        let inputShape = input.shape, geometry = geometry
        let mapCount = input.batch * inputShape.channels
        guard mapCount > 0 else { return }
        // The in-bounds taps of every output position, computed once for all maps.
        var taps: [[Int]] = []
        for oy in 0..<shape.height {
            for ox in 0..<shape.width {
                var window: [Int] = []
                for ky in 0..<geometry.kernelHeight {
                    let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                    guard iy >= 0 && iy < inputShape.height else { continue }
                    for kx in 0..<geometry.kernelWidth {
                        let ix = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                        if ix >= 0 && ix < inputShape.width { window.append(iy * inputShape.width + ix) }
                    }
                }
                taps.append(window)
            }
        }
        let windows = taps
        let targetSpatial = writesInput ? inputShape.spatialCount : shape.spatialCount
        let work = UnsafeSendable(body)
        input.values.withUnsafeBufferPointer { inputs in
            target.values.withUnsafeMutableBufferPointer { targets in
                let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                let output = SharedPointer(base: targets.baseAddress!)
                parallelism.forEachChunk(of: mapCount, minimumChunkSize: Swift.max(1, 16_384 / Swift.max(1, inputShape.spatialCount))) { maps in
                    for mapIndex in maps {
                        let map = source.base.assumingMemoryBound(to: Float.self) + mapIndex * inputShape.spatialCount
                        let out = output.base + mapIndex * targetSpatial
                        for oy in 0..<shape.height {
                            for ox in 0..<shape.width { work.value(map, out, oy, ox, windows[oy * shape.width + ox], mapIndex) }
                        }
                    }
                }
            }
        }
    }
}

/// A value handed to concurrent chunks that each use it read-only (a closure capturing only
/// immutable state).
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
