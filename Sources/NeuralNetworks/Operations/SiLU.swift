import LinearAlgebra

/// x · σ(x), element-wise (SiLU or swish, as EfficientNet uses it; ONNX spells it `Mul(x, Sigmoid(x))`).
public struct SiLU: ElementwiseUnary {
    /// `SiLU`.
    public static let typeName = "SiLU"

    /// The operation.
    public init() {}

    /// The input.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// x · σ(x).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Elementwise.apply(inputs[0], parallelism: context.parallelism) { Kernels.sigmoid($0, into: $1, timesInput: true) }
    }

    /// σ(x) · (1 + x · (1 − σ(x))).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [Elementwise.chain(outputGradient, pass.input(0), parallelism: pass.parallelism) { x in
            let s = Sigmoid.sigmoid(x)
            return s * (1 + x * (1 - s))
        }]
    }
}
