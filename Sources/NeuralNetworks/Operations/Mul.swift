import LinearAlgebra

/// a · b with broadcasting (ONNX `Mul`): squeeze-and-excitation scales, constant factors.
public struct Mul: BroadcastingBinary {
    /// `Mul`.
    public static let typeName = "Mul"

    /// The operation.
    public init() {}

    /// Both inputs (each is the other's derivative).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// a · b.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        if inputs[0].shape == inputs[1].shape {
            return Elementwise.product(inputs[0], inputs[1])
        }
        return layout(inputs.map(\.shape)).apply(inputs[0], inputs[1], parallelism: context.parallelism, *)
    }

    /// The gradient times the other input, summed over each input's broadcast dimensions.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = layout(pass.inputShapes)
        return (0..<2).map { position in
            guard pass.needsGradient[position] else { return nil }
            let other = pass.input(1 - position)
            let product = scaled(outputGradient, by: other, parallelism: pass.parallelism)
            return layout.reduce(product, toA: position == 0, shape: pass.inputShapes[position])
        }
    }

    /// `gradient · other`, `other` broadcast to the gradient's (the output's) shape.
    private func scaled(_ gradient: Tensor, by other: Tensor, parallelism: Parallelism) -> Tensor {
        if other.shape == gradient.shape { return Elementwise.product(gradient, other) }
        return layout([gradient.shape, other.shape]).apply(gradient, other, parallelism: parallelism, *)
    }
}
