import LinearAlgebra

/// a + b with broadcasting (ONNX `Add`): residual connections, biases, constant shifts.
public struct Add: BroadcastingBinary {
    /// `Add`.
    public static let typeName = "Add"

    /// The operation.
    public init() {}

    /// a + b.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        if inputs[0].shape == inputs[1].shape {
            return Elementwise.sum(inputs[0], inputs[1], parallelism: context.parallelism)
        }
        return layout(inputs.map(\.shape)).sum(inputs[0], inputs[1], parallelism: context.parallelism)
    }

    /// The gradient, summed over the dimensions each input was broadcast along.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = layout(pass.inputShapes)
        return (0..<2).map { position in
            pass.needsGradient[position] ? layout.reduce(outputGradient, toA: position == 0, shape: pass.inputShapes[position]) : nil
        }
    }
}
