import LinearAlgebra

/// The largest value of each window of each map (ONNX `MaxPool`, PyTorch's `MaxPool2d`);
/// padding never wins.
public struct MaxPool: WindowPooling {
    /// `MaxPool`.
    public static let typeName = "MaxPool"
    /// The window (with dilation).
    public let geometry: WindowGeometry
    /// Whether the last window may hang over the padding (ONNX `ceil_mode`).
    public let ceilMode: Bool

    /// A max pooling.
    public init(geometry: WindowGeometry, ceilMode: Bool = false) {
        self.geometry = geometry
        self.ceilMode = ceilMode
    }

    /// From ONNX's attributes (`kernel_shape`, `strides`, `dilations`, `pads`, `ceil_mode`).
    /// - Throws: `OperationError` for a missing kernel or sizes out of range.
    public init(attributes: OperationAttributes) throws {
        self.init(geometry: try WindowGeometry(attributes: attributes), ceilMode: try attributes.integer("ceil_mode", default: 0, in: 0...1) == 1)
    }

    /// The window and `ceil_mode`.
    public var attributes: OperationAttributes { OperationAttributes(windowAttributes) }

    /// The input (where each maximum sits).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// Each window's maximum.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let input = inputs[0]
        guard let shape = try? outputShape(for: [input.shape], elementTypes: [.float32]) else { preconditionFailure("MaxPool: shape checked") }
        let windows = windows(input.shape, shape, countsPadding: false)
        let (inputSpatial, positions) = (windows.inputSpatial, windows.positions)
        return Tensor(shape: shape) { output in
            input.withUnsafeBufferPointer { inputs in
                let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!)), target = SharedPointer(base: output.baseAddress!)
                windows.forEachMapChunk(count: shape[0] * shape[1], parallelism: context.parallelism) { maps, offsets, starts, _ in
                    for mapIndex in maps {
                        let map = source.base.assumingMemoryBound(to: Float.self) + mapIndex * inputSpatial, out = target.base + mapIndex * positions
                        for position in 0..<positions {
                            var best = -Float.infinity
                            for tap in starts[position]..<starts[position + 1] { best = max(best, map[offsets[tap]]) }
                            out[position] = best
                        }
                    }
                }
            }
        }
    }

    /// Each output's gradient to its window's first maximum.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let input = pass.input(0), shape = outputGradient.shape
        let windows = windows(input.shape, shape, countsPadding: false)
        let (inputSpatial, positions) = (windows.inputSpatial, windows.positions)
        var gradient = Tensor(zeros: input.shape)
        input.withUnsafeBufferPointer { inputs in
            outputGradient.withUnsafeBufferPointer { upstream in
                gradient.withUnsafeMutableBufferPointer { gradients in
                    let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
                    let dy = SharedReadOnlyPointer(base: UnsafeRawPointer(upstream.baseAddress!)), target = SharedPointer(base: gradients.baseAddress!)
                    windows.forEachMapChunk(count: shape[0] * shape[1], parallelism: pass.parallelism) { maps, offsets, starts, _ in
                        for mapIndex in maps {
                            let map = source.base.assumingMemoryBound(to: Float.self) + mapIndex * inputSpatial
                            let g = dy.base.assumingMemoryBound(to: Float.self) + mapIndex * positions, dx = target.base + mapIndex * inputSpatial
                            for position in 0..<positions {
                                var best = -Float.infinity, winner = -1
                                for tap in starts[position]..<starts[position + 1] where map[offsets[tap]] > best {
                                    best = map[offsets[tap]]
                                    winner = offsets[tap]
                                }
                                if winner >= 0 { dx[winner] += g[position] }
                            }
                        }
                    }
                }
            }
        }
        return [gradient]
    }
}
