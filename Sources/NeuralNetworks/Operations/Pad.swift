import LinearAlgebra

/// Constant padding before and after every dimension (ONNX `Pad` in `constant` mode, with its
/// pads known when the graph is built, as an attribute: all the befores, then all the afters).
public struct Pad: Operation {
    /// `Pad`.
    public static let typeName = "Pad"
    /// Per dimension the values added before, then per dimension the values added after.
    public let pads: [Int]
    /// The value of the padding.
    public let value: Float

    /// A padding.
    /// - Precondition: no pad is negative.
    public init(pads: [Int], value: Float = 0) {
        precondition(pads.allSatisfy { $0 >= 0 } && pads.count % 2 == 0, "Pad: pads \(pads)")
        self.pads = pads
        self.value = value
    }

    /// From the attributes `pads`, `value` and `mode` (only `constant`).
    /// - Throws: `OperationError` for another mode or a negative or absurd pad.
    public init(attributes: OperationAttributes) throws {
        _ = try attributes.string("mode", default: "constant", allowed: ["constant"])
        let pads = try attributes.integers("pads", in: 0...65_536)
        guard pads.count % 2 == 0, pads.count <= 32 else { throw OperationError("pads \(pads) is not a before and an after per dimension") }
        self.init(pads: pads, value: try attributes.float("value", default: 0))
    }

    /// `pads`, `value` and `mode`.
    public var attributes: OperationAttributes { ["pads": .integers(pads), "value": .float(value), "mode": .string("constant")] }

    /// Each dimension grown by its pads.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes[0] == .float32 else { throw OperationError("Pad takes one float input") }
        let rank = shapes[0].count
        guard pads.count == 2 * rank else { throw OperationError("\(pads.count) pads for rank \(rank)") }
        return shapes[0].indices.map { shapes[0][$0] + pads[$0] + pads[$0 + rank] }
    }

    /// The input inside a border of `value`.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let input = inputs[0], shape = try outputShape(for: [input.shape], elementTypes: [.float32])
        var output = Tensor(repeating: value, shape: shape)
        output.withUnsafeMutableBufferPointer { target in
            input.withUnsafeBufferPointer { source in
                Self.copyRows(from: input.shape, to: shape, pads: pads) { inputOffset, outputOffset, count in
                    (target.baseAddress! + outputOffset).update(from: source.baseAddress! + inputOffset, count: count)
                }
            }
        }
        return output
    }

    /// The gradient inside the border.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let shape = pass.inputShapes[0]
        return [Tensor(shape: shape) { target in
            outputGradient.withUnsafeBufferPointer { source in
                Self.copyRows(from: shape, to: outputGradient.shape, pads: pads) { inputOffset, outputOffset, count in
                    (target.baseAddress! + inputOffset).update(from: source.baseAddress! + outputOffset, count: count)
                }
            }
        }]
    }

    /// Calls `copy(inputOffset, outputOffset, count)` for every innermost row of the input and where it sits in the output.
    private static func copyRows(from input: [Int], to output: [Int], pads: [Int], _ copy: (Int, Int, Int) -> Void) {
        let rank = input.count
        guard rank > 0, input.allSatisfy({ $0 > 0 }) else {
            if rank == 0 { copy(0, 0, 1) }
            return
        }
        let rows = input.dropLast().reduce(1, *), width = input[rank - 1]
        for row in 0..<rows {
            var rest = row, outputOffset = pads[rank - 1], stride = output[rank - 1]
            for axis in (0..<(rank - 1)).reversed() {
                let position = rest % input[axis]
                rest /= input[axis]
                outputOffset += (position + pads[axis]) * stride
                stride *= output[axis]
            }
            copy(row * width, outputOffset, width)
        }
    }
}
