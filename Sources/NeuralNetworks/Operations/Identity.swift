import LinearAlgebra

/// The input unchanged (ONNX `Identity`).
public struct Identity: AttributelessOperation {
    /// `Identity`.
    public static let typeName = "Identity"

    /// The operation.
    public init() {}

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1 else { throw OperationError("Identity takes one input") }
        return shapes[0]
    }

    /// The input's element type (ids and booleans reshape too).
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { elementTypes.first ?? .float32 }

    /// The input.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor { inputs[0] }

    /// The gradient.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] { [outputGradient] }
}
