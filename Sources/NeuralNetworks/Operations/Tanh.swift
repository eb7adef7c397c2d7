import Foundation
import LinearAlgebra

/// tanh(x), element-wise (ONNX `Tanh`).
public struct Tanh: Operation {
    /// `Tanh`.
    public static let typeName = "Tanh"

    /// The operation.
    public init() {}
    /// The operation (it has no attributes).
    public init(attributes: OperationAttributes) {}
    /// None.
    public var attributes: OperationAttributes { [:] }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }

    /// The output (tanh′ = 1 − tanh²).
    public var backwardNeeds: BackwardNeeds { .output }

    /// tanh(x).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Elementwise.map(inputs[0], parallelism: context.parallelism) { tanh($0) }
    }

    /// The gradient times 1 − tanh².
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [Elementwise.chain(outputGradient, pass.output!, parallelism: pass.parallelism) { 1 - $0 * $0 }]
    }
}
