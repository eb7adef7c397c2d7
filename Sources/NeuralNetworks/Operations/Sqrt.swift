import Foundation
import LinearAlgebra

/// √x, element-wise (ONNX `Sqrt`): the deviation of a LayerNorm exported as primitives.
public struct Sqrt: ElementwiseUnary {
    /// `Sqrt`.
    public static let typeName = "Sqrt"

    /// The operation.
    public init() {}

    /// The output (√x′ = 1 / (2√x)).
    public var backwardNeeds: BackwardNeeds { .output }

    /// √x.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Elementwise.map(inputs[0], parallelism: context.parallelism) { $0.squareRoot() }
    }

    /// The gradient over twice the output.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [Elementwise.chain(outputGradient, pass.output!, parallelism: pass.parallelism) { 0.5 / $0 }]
    }
}
