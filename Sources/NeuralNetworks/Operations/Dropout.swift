import LinearAlgebra

/// Inverted dropout (ONNX `Dropout`): in training, each value is zeroed with probability `ratio`
/// and the rest scaled by 1 / (1 − ratio); in inference, the input unchanged.
public struct Dropout: Operation {
    /// `Dropout`.
    public static let typeName = "Dropout"
    /// The share of values dropped in training.
    public let ratio: Float

    /// Dropout of `ratio`.
    /// - Precondition: `0 <= ratio < 1`.
    public init(ratio: Float) {
        precondition(ratio >= 0 && ratio < 1, "Dropout: ratio \(ratio)")
        self.ratio = ratio
    }

    /// From the attribute `ratio` (default 0.5).
    /// - Throws: `OperationError` for a ratio outside [0, 1).
    public init(attributes: OperationAttributes) throws {
        let ratio = try attributes.float("ratio", default: 0.5)
        guard ratio >= 0 && ratio < 1 else { throw OperationError("Dropout's ratio \(ratio) is outside [0, 1)") }
        self.init(ratio: ratio)
    }

    /// `ratio`.
    public var attributes: OperationAttributes { ["ratio": .float(ratio)] }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }

    /// The input scaled by a mask of 0 and 1 / (1 − ratio) (saved) in training; the input in inference.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        guard context.mode == .training, ratio > 0 else { return inputs[0] }
        let keep = 1 / (1 - ratio)
        var generator = context.generator
        let mask = Tensor(shape: inputs[0].shape) { factors in
            for index in factors.indices { factors[index] = generator.nextUnitFloat() < ratio ? 0 : keep }
        }
        context.generator = generator
        context.save(mask)
        return Elementwise.product(inputs[0], mask)
    }

    /// The gradient times the mask (unchanged in inference).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let mask = pass.saved.first else { return [outputGradient] }
        return [Elementwise.product(outputGradient, mask)]
    }
}
