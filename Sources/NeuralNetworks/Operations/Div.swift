import LinearAlgebra

/// a / b with broadcasting (ONNX `Div`).
public struct Div: BroadcastingBinary {
    /// `Div`.
    public static let typeName = "Div"

    /// The operation.
    public init() {}

    /// Both inputs.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// a / b.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        layout(inputs.map(\.shape)).apply(inputs[0], inputs[1], parallelism: context.parallelism, /)
    }

    /// g / b for a and −g·a / b² for b, each summed over its broadcast dimensions.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = layout(pass.inputShapes)
        let a = pass.input(0), b = pass.input(1)
        let gradientOverB = self.layout([outputGradient.shape, b.shape]).apply(outputGradient, b, parallelism: pass.parallelism, /)
        let first = pass.needsGradient[0] ? layout.reduce(gradientOverB, toA: true, shape: pass.inputShapes[0]) : nil
        guard pass.needsGradient[1] else { return [first, nil] }
        let quotient = layout.apply(a, b, parallelism: pass.parallelism, /)
        let product = Elementwise.zip(gradientOverB, quotient, parallelism: pass.parallelism) { -$0 * $1 }
        return [first, layout.reduce(product, toA: false, shape: pass.inputShapes[1])]
    }
}
