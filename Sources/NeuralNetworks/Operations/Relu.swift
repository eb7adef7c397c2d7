import LinearAlgebra

/// max(x, 0), element-wise (ONNX `Relu`).
public struct Relu: ElementwiseUnary {
    /// `Relu`.
    public static let typeName = "Relu"

    /// The operation.
    public init() {}

    /// The output: where it is zero, the gradient stops.
    public var backwardNeeds: BackwardNeeds { .output }

    /// max(x, 0).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        var output = inputs[0]
        output.withUnsafeMutableBufferPointer(Kernels.relu)
        return output
    }

    /// The gradient where the output is positive, else 0.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        var gradient = outputGradient
        pass.output!.withUnsafeBufferPointer { activation in
            gradient.withUnsafeMutableBufferPointer { Kernels.reluBackward(activation: activation, gradient: $0) }
        }
        return [gradient]
    }
}
