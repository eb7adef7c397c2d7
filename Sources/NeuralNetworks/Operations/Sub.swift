import LinearAlgebra

/// a − b with broadcasting (ONNX `Sub`).
public struct Sub: BroadcastingBinary {
    /// `Sub`.
    public static let typeName = "Sub"

    /// The operation.
    public init() {}

    /// a − b.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        layout(inputs.map(\.shape)).apply(inputs[0], inputs[1], parallelism: context.parallelism, -)
    }

    /// The gradient for a, its negation for b, each summed over its broadcast dimensions.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = layout(pass.inputShapes)
        let first = pass.needsGradient[0] ? layout.reduce(outputGradient, toA: true, shape: pass.inputShapes[0]) : nil
        let second = pass.needsGradient[1]
            ? layout.reduce(Elementwise.map(outputGradient, parallelism: pass.parallelism) { -$0 }, toA: false, shape: pass.inputShapes[1]) : nil
        return [first, second]
    }
}
