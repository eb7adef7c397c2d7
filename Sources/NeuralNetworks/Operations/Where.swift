import LinearAlgebra

/// x where the condition holds, else y, element-wise with broadcasting of all three (ONNX
/// `Where`): an attention mask turned into −∞ scores, the NaN rows of a masked softmax zeroed.
/// The condition is booleans (integers, non-zero is true); x and y are floats, or integers when
/// both are (then the output is integers).
public struct Where: AttributelessOperation {
    /// `Where`.
    public static let typeName = "Where"

    /// The operation.
    public init() {}

    /// The broadcast of the three shapes.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 3 else { throw OperationError("Where takes a condition and two values, not \(shapes.count) inputs") }
        guard elementTypes[0] == .int32 else { throw OperationError("Where's condition must be booleans") }
        return try Broadcast(try Broadcast(shapes[0], shapes[1]).outputShape, shapes[2]).outputShape
    }

    /// Integers when both values are integers, else floats.
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType {
        elementTypes.count == 3 && elementTypes[1] == .int32 && elementTypes[2] == .int32 ? .int32 : .float32
    }

    /// The condition (to route the gradient).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// x or y by the condition.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: inputs.map(\.shape), elementTypes: inputs.map(\.elementType))
        func expanded(_ input: Tensor) -> Tensor { Broadcast(checked: shape, input.shape).expanded(Predicate.floats(input)) }
        let (condition, x, y) = (expanded(inputs[0]), expanded(inputs[1]), expanded(inputs[2]))
        let chosen = Tensor(shape: shape) { output in
            condition.withUnsafeBufferPointer { flags in
                x.withUnsafeBufferPointer { a in
                    y.withUnsafeBufferPointer { b in
                        for index in output.indices { output[index] = flags[index] != 0 ? a[index] : b[index] }
                    }
                }
            }
        }
        guard outputElementType(for: inputs.map(\.elementType)) == .int32 else { return chosen }
        return Tensor(shape: shape, integers: chosen.scalars.map { Int32($0) })
    }

    /// The gradient to x where the condition holds and to y elsewhere, each summed over the
    /// dimensions it was broadcast along.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let shape = outputGradient.shape
        let condition = Broadcast(checked: shape, pass.inputShapes[0]).expanded(Predicate.floats(pass.input(0)))
        return [nil] + [true, false].enumerated().map { offset, holds -> Tensor? in
            guard pass.needsGradient[offset + 1] else { return nil }
            let routed = Elementwise.zip(outputGradient, condition, parallelism: pass.parallelism) { gradient, flag in
                (flag != 0) == holds ? gradient : 0
            }
            let operandShape = pass.inputShapes[offset + 1]
            return Broadcast(checked: shape, operandShape).reduce(routed, toA: false, shape: operandShape)
        }
    }
}
