import LinearAlgebra

/// The windows of a max or average pooling over maps of one size: for every output position,
/// the in-bounds input offsets it reads (flat, `offsets[starts[p]..<starts[p + 1]]`) and its
/// average divisor — computed once per pass for all maps.
struct PoolingWindows {
    private(set) var offsets: [Int] = [], starts: [Int] = [0], divisors: [Float] = []
    let inputSpatial: Int, positions: Int

    /// The windows of `geometry` from `height × width` maps to `outputHeight × outputWidth`;
    /// averages count the padding when `countsPadding` (PyTorch clips the window to the padded
    /// input before dividing), else only the values inside.
    init(geometry: WindowGeometry, height: Int, width: Int, outputHeight: Int, outputWidth: Int, countsPadding: Bool) {
        inputSpatial = height * width
        positions = outputHeight * outputWidth
        for oy in 0..<outputHeight {
            for ox in 0..<outputWidth {
                for ky in 0..<geometry.kernelHeight {
                    let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                    guard iy >= 0 && iy < height else { continue }
                    for kx in 0..<geometry.kernelWidth {
                        let ix = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                        if ix >= 0 && ix < width { offsets.append(iy * width + ix) }
                    }
                }
                let inBounds = offsets.count - starts.last!
                starts.append(offsets.count)
                let y0 = oy * geometry.strideY - geometry.padTop, x0 = ox * geometry.strideX - geometry.padLeft
                let y1 = min(y0 + geometry.kernelHeight, height + geometry.padBottom), x1 = min(x0 + geometry.kernelWidth, width + geometry.padRight)
                divisors.append(Float(countsPadding ? max(1, (y1 - y0) * (x1 - x0)) : max(1, inBounds)))
            }
        }
    }

    /// Runs `body(mapRange, offsets, starts, divisors)` on chunks of `count` maps, concurrently.
    func forEachMapChunk(count: Int, parallelism: Parallelism,
                         _ body: @Sendable (Range<Int>, UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Float>) -> Void) {
        guard count > 0, positions > 0 else { return }
        offsets.withUnsafeBufferPointer { offsets in
            starts.withUnsafeBufferPointer { starts in
                divisors.withUnsafeBufferPointer { divisors in
                    let tables = (SharedReadOnlyPointer(base: UnsafeRawPointer(offsets.baseAddress ?? UnsafePointer(bitPattern: 8)!)),
                                  SharedReadOnlyPointer(base: UnsafeRawPointer(starts.baseAddress!)),
                                  SharedReadOnlyPointer(base: UnsafeRawPointer(divisors.baseAddress!)))
                    let perMap = max(1, starts.last!)
                    parallelism.forEachChunk(of: count, minimumChunkSize: max(1, 16_384 / perMap)) { maps in
                        body(maps, tables.0.base.assumingMemoryBound(to: Int.self), tables.1.base.assumingMemoryBound(to: Int.self),
                             tables.2.base.assumingMemoryBound(to: Float.self))
                    }
                }
            }
        }
    }
}

/// What `MaxPool` and `AveragePool` share: the window from ONNX's attributes, with `ceil_mode`.
protocol WindowPooling: Operation {
    var geometry: WindowGeometry { get }
    var ceilMode: Bool { get }
}

extension WindowPooling {
    /// N × C × outH × outW.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes[0] == .float32, shapes[0].count == 4 else {
            throw OperationError("\(Self.typeName) takes one float N × C × H × W input")
        }
        let x = shapes[0]
        guard let size = geometry.outputSize(height: x[2], width: x[3], ceilMode: ceilMode) else {
            throw OperationError("no window fits \(x[2])×\(x[3]) maps")
        }
        return [x[0], x[1], size.height, size.width]
    }

    /// The windows of a pass from `input` to `output` shapes.
    func windows(_ input: [Int], _ output: [Int], countsPadding: Bool) -> PoolingWindows {
        PoolingWindows(geometry: geometry, height: input[2], width: input[3], outputHeight: output[2], outputWidth: output[3],
                       countsPadding: countsPadding)
    }

    /// The window attributes plus `ceil_mode`.
    var windowAttributes: [String: OperationAttributes.Value] {
        var values = geometry.attributes
        values["ceil_mode"] = .integer(ceilMode ? 1 : 0)
        return values
    }
}
