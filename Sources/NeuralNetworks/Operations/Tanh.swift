import Foundation
import LinearAlgebra

/// tanh(x), element-wise (ONNX `Tanh`).
public struct Tanh: ElementwiseUnary {
    /// `Tanh`.
    public static let typeName = "Tanh"

    /// The operation.
    public init() {}

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
