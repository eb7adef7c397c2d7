import LinearAlgebra

/// Logical negation of booleans (integers 0 and 1), element-wise (ONNX `Not`): a mask inverted.
public struct Not: AttributelessOperation {
    /// `Not`.
    public static let typeName = "Not"
    /// Booleans carry no gradient.
    public static var isDifferentiable: Bool { false }

    /// The operation.
    public init() {}

    /// The input's shape; the input must be booleans (integers).
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes == [.int32] else { throw OperationError("Not takes one boolean input") }
        return shapes[0]
    }

    /// Integers (0 or 1).
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { .int32 }

    /// 1 where the input is 0, else 0.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Tensor(shape: inputs[0].shape, integers: inputs[0].withUnsafeIntegers { $0.map { $0 == 0 ? 1 : 0 } })
    }
}
