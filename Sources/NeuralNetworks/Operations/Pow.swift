import Foundation
import LinearAlgebra

/// aᵇ with broadcasting (ONNX `Pow`): the square of a LayerNorm exported as primitives.
public struct Pow: BroadcastingBinary {
    /// `Pow`.
    public static let typeName = "Pow"

    /// The operation.
    public init() {}

    /// Both inputs.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// aᵇ (a square as a product, exactly as PyTorch computes it).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        layout(inputs.map(\.shape)).apply(inputs[0], inputs[1], parallelism: context.parallelism, Self.power)
    }

    /// g·b·aᵇ⁻¹ for a and g·aᵇ·ln a for b, each summed over its broadcast dimensions.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = layout(pass.inputShapes), a = pass.input(0), b = pass.input(1)
        func gradient(_ position: Int, _ derivative: @escaping @Sendable (Float, Float) -> Float) -> Tensor? {
            guard pass.needsGradient[position] else { return nil }
            let local = layout.apply(a, b, parallelism: pass.parallelism, derivative)
            return layout.reduce(Elementwise.product(outputGradient, local), toA: position == 0, shape: pass.inputShapes[position])
        }
        return [gradient(0) { a, b in b * Self.power(a, b - 1) }, gradient(1) { a, b in Self.power(a, b) * log(a) }]
    }

    @Sendable private static func power(_ a: Float, _ b: Float) -> Float {
        b == 2 ? a * a : b == 1 ? a : pow(a, b)
    }
}
