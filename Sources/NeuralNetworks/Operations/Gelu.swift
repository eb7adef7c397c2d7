import Foundation
import LinearAlgebra

/// The Gaussian error linear unit x · Φ(x), element-wise (ONNX `Gelu`): exact with erf, or
/// `approximate = "tanh"` as BERT's original code computes it.
public struct Gelu: Operation {
    /// `Gelu`.
    public static let typeName = "Gelu"

    /// How Φ is computed.
    public enum Approximation: String, Sendable, Hashable {
        /// With the error function.
        case none
        /// 0.5 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
        case tanh
    }

    /// How Φ is computed.
    public let approximation: Approximation

    /// The operation.
    public init(approximation: Approximation = .none) { self.approximation = approximation }

    /// From the attribute `approximate` (`none` or `tanh`).
    /// - Throws: `OperationError` for another value.
    public init(attributes: OperationAttributes) throws {
        approximation = Approximation(rawValue: try attributes.string("approximate", default: "none", allowed: ["none", "tanh"]))!
    }

    /// `approximate`.
    public var attributes: OperationAttributes { ["approximate": .string(approximation.rawValue)] }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }

    /// The input.
    public var backwardNeeds: BackwardNeeds { .inputs }

    private static let tanhScale = Float((2 / Double.pi).squareRoot())

    /// x · Φ(x).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        switch approximation {
        case .none:
            return Elementwise.apply(inputs[0], parallelism: context.parallelism) { Kernels.gelu($0, into: $1) }
        case .tanh:
            return Elementwise.map(inputs[0], parallelism: context.parallelism) { x in
                0.5 * x * (1 + tanh(Self.tanhScale * (x + 0.044715 * x * x * x)))
            }
        }
    }

    /// Φ(x) + x · φ(x) (or the derivative of the tanh form).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        switch approximation {
        case .none:
            return [Elementwise.apply(pass.input(0), outputGradient, parallelism: pass.parallelism) { Kernels.geluGradient($0, upstream: $1, into: $2) }]
        case .tanh:
            return [Elementwise.chain(outputGradient, pass.input(0), parallelism: pass.parallelism) { x in
                let inner = Self.tanhScale * (x + 0.044715 * x * x * x), t = tanh(inner)
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Self.tanhScale * (1 + 3 * 0.044715 * x * x)
            }]
        }
    }
}
