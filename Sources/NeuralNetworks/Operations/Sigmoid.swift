import Foundation
import LinearAlgebra

/// 1 / (1 + e^−x), element-wise (ONNX `Sigmoid`).
public struct Sigmoid: ElementwiseUnary {
    /// `Sigmoid`.
    public static let typeName = "Sigmoid"

    /// The operation.
    public init() {}

    /// The output (σ′ = σ(1 − σ)).
    public var backwardNeeds: BackwardNeeds { .output }

    /// σ(x) (the vector kernel).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Elementwise.apply(inputs[0], parallelism: context.parallelism) { Kernels.sigmoid($0, into: $1) }
    }

    /// The gradient times σ(1 − σ).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [Elementwise.chain(outputGradient, pass.output!, parallelism: pass.parallelism) { $0 * (1 - $0) }]
    }

    /// 1 / (1 + e^−x), without overflow for large |x|.
    @inline(__always)
    @Sendable static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}
