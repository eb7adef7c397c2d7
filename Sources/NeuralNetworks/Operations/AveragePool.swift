import LinearAlgebra

/// The mean of each window of each map (ONNX `AveragePool`, PyTorch's `AvgPool2d`): the padding
/// counts in the divisor when `countsPadding` (PyTorch's default), not otherwise (ONNX's default).
public struct AveragePool: WindowPooling {
    /// `AveragePool`.
    public static let typeName = "AveragePool"
    /// The window (dilation 1).
    public let geometry: WindowGeometry
    /// Whether the last window may hang over the padding (ONNX `ceil_mode`).
    public let ceilMode: Bool
    /// Whether an average divides by the whole window, padding included (`count_include_pad`).
    public let countsPadding: Bool

    /// An average pooling.
    public init(geometry: WindowGeometry, ceilMode: Bool = false, countsPadding: Bool = true) {
        self.geometry = geometry
        self.ceilMode = ceilMode
        self.countsPadding = countsPadding
    }

    /// From ONNX's attributes (`kernel_shape`, `strides`, `pads`, `ceil_mode`, `count_include_pad`, default 0).
    /// - Throws: `OperationError` for a missing kernel or sizes out of range.
    public init(attributes: OperationAttributes) throws {
        self.init(geometry: try WindowGeometry(attributes: attributes), ceilMode: try attributes.integer("ceil_mode", default: 0, in: 0...1) == 1,
                  countsPadding: try attributes.integer("count_include_pad", default: 0, in: 0...1) == 1)
    }

    /// The window, `ceil_mode` and `count_include_pad`.
    public var attributes: OperationAttributes {
        var values = windowAttributes
        values["count_include_pad"] = .integer(countsPadding ? 1 : 0)
        return OperationAttributes(values)
    }

    /// Each window's mean.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let input = inputs[0]
        guard let shape = try? outputShape(for: [input.shape], elementTypes: [.float32]) else { preconditionFailure("AveragePool: shape checked") }
        let windows = windows(input.shape, shape, countsPadding: countsPadding)
        let (inputSpatial, positions) = (windows.inputSpatial, windows.positions)
        return Tensor(shape: shape) { output in
            input.withUnsafeBufferPointer { inputs in
                let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!)), target = SharedPointer(base: output.baseAddress!)
                windows.forEachMapChunk(count: shape[0] * shape[1], parallelism: context.parallelism) { maps, offsets, starts, divisors in
                    for mapIndex in maps {
                        let map = source.base.assumingMemoryBound(to: Float.self) + mapIndex * inputSpatial, out = target.base + mapIndex * positions
                        for position in 0..<positions {
                            var sum: Float = 0
                            for tap in starts[position]..<starts[position + 1] { sum += map[offsets[tap]] }
                            out[position] = sum / divisors[position]
                        }
                    }
                }
            }
        }
    }

    /// Each output's gradient spread evenly over its window.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let inputShape = pass.inputShapes[0], shape = outputGradient.shape
        let windows = windows(inputShape, shape, countsPadding: countsPadding)
        let (inputSpatial, positions) = (windows.inputSpatial, windows.positions)
        var gradient = Tensor(zeros: inputShape)
        outputGradient.withUnsafeBufferPointer { upstream in
            gradient.withUnsafeMutableBufferPointer { gradients in
                let dy = SharedReadOnlyPointer(base: UnsafeRawPointer(upstream.baseAddress!)), target = SharedPointer(base: gradients.baseAddress!)
                windows.forEachMapChunk(count: shape[0] * shape[1], parallelism: pass.parallelism) { maps, offsets, starts, divisors in
                    for mapIndex in maps {
                        let g = dy.base.assumingMemoryBound(to: Float.self) + mapIndex * positions, dx = target.base + mapIndex * inputSpatial
                        for position in 0..<positions {
                            let share = g[position] / divisors[position]
                            for tap in starts[position]..<starts[position + 1] { dx[offsets[tap]] += share }
                        }
                    }
                }
            }
        }
        return [gradient]
    }
}
