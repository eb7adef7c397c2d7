import Foundation
import LinearAlgebra

/// The error function, element-wise (ONNX `Erf`; exported GELUs spell Φ with it).
public struct Erf: ElementwiseUnary {
    /// `Erf`.
    public static let typeName = "Erf"

    /// The operation.
    public init() {}

    /// The input.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// erf(x).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        Elementwise.map(inputs[0], parallelism: context.parallelism) { erf($0) }
    }

    /// The gradient times 2/√π · e^(−x²).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let factor = Float(2 / Double.pi.squareRoot())
        return [Elementwise.chain(outputGradient, pass.input(0), parallelism: pass.parallelism) { factor * exp(-$0 * $0) }]
    }
}
