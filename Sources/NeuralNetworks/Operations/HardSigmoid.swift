import LinearAlgebra

/// max(0, min(1, α·x + β)), element-wise (ONNX `HardSigmoid`; PyTorch's `hardsigmoid` is α = 1/6, β = 1/2).
public struct HardSigmoid: Operation {
    /// `HardSigmoid`.
    public static let typeName = "HardSigmoid"
    /// The slope.
    public let alpha: Float
    /// The offset.
    public let beta: Float

    /// The operation with ONNX's defaults α = 0.2, β = 0.5.
    public init(alpha: Float = 0.2, beta: Float = 0.5) {
        self.alpha = alpha
        self.beta = beta
    }

    /// From the attributes `alpha` and `beta`.
    /// - Throws: `OperationError` for a value that is not finite.
    public init(attributes: OperationAttributes) throws {
        self.init(alpha: try attributes.float("alpha", default: 0.2), beta: try attributes.float("beta", default: 0.5))
    }

    /// `alpha` and `beta`.
    public var attributes: OperationAttributes { ["alpha": .float(alpha), "beta": .float(beta)] }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }

    /// The input.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// max(0, min(1, α·x + β)).
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let (alpha, beta) = (alpha, beta)
        return Elementwise.map(inputs[0], parallelism: context.parallelism) { max(0, min(1, alpha * $0 + beta)) }
    }

    /// α where the line is not clipped, else 0.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let (alpha, beta) = (alpha, beta)
        return [Elementwise.chain(outputGradient, pass.input(0), parallelism: pass.parallelism) { x in
            let line = alpha * x + beta
            return line > 0 && line < 1 ? alpha : 0
        }]
    }
}
