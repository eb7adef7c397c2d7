import LinearAlgebra

/// Whether each element is NaN, as 1 or 0 (ONNX `IsNaN`): exported attention zeroes the rows
/// a mask left empty by testing the softmax for NaN.
public struct IsNaN: AttributelessOperation {
    /// `IsNaN`.
    public static let typeName = "IsNaN"
    /// Booleans carry no gradient.
    public static var isDifferentiable: Bool { false }

    /// The operation.
    public init() {}

    /// The input's shape; the input must be floats.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }

    /// Integers (0 or 1).
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { .int32 }

    /// 1 where the input is NaN, else 0.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Tensor(shape: inputs[0].shape, integers: inputs[0].withUnsafeBufferPointer { $0.map { $0.isNaN ? 1 : 0 } })
    }
}
