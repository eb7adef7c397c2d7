import LinearAlgebra

/// x · max(0, min(1, x/6 + 1/2)), element-wise (ONNX `HardSwish`, as MobileNetV3 uses it).
public struct HardSwish: ElementwiseUnary {
    /// `HardSwish`.
    public static let typeName = "HardSwish"

    /// The operation.
    public init() {}

    /// The input.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// x · max(0, min(1, x/6 + 1/2)).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Elementwise.map(inputs[0], parallelism: context.parallelism) { $0 * max(0, min(1, $0 / 6 + 0.5)) }
    }

    /// 0 below −3, 1 above 3, (2x + 3)/6 between (PyTorch's `hardswish_backward`).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [Elementwise.chain(outputGradient, pass.input(0), parallelism: pass.parallelism) { x in
            x < -3 ? 0 : (x <= 3 ? x / 3 + 0.5 : 1)
        }]
    }
}
