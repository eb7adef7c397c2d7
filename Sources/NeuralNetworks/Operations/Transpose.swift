import LinearAlgebra

/// The dimensions reordered (ONNX `Transpose`): output dimension `i` is input dimension
/// `permutation[i]` (default: all reversed). ConvNeXt's channels-last LayerNorm, ShuffleNet's
/// channel shuffle and attention heads use it.
public struct Transpose: Operation {
    /// `Transpose`.
    public static let typeName = "Transpose"
    /// The input dimension of each output dimension (nil: reversed).
    public let permutation: [Int]?

    /// A transpose by `permutation`.
    public init(permutation: [Int]?) { self.permutation = permutation }

    /// From the attribute `perm` (optional).
    /// - Throws: `OperationError` when it is not a permutation.
    public init(attributes: OperationAttributes) throws {
        let permutation = try attributes.values["perm"] == nil ? nil : attributes.integers("perm", in: 0...63)
        if let permutation, Set(permutation) != Set(0..<permutation.count) { throw OperationError("perm \(permutation) is not a permutation") }
        self.init(permutation: permutation)
    }

    /// `perm` when given.
    public var attributes: OperationAttributes { permutation.map { ["perm": .integers($0)] } ?? [:] }

    private func resolved(rank: Int) throws -> [Int] {
        let order = permutation ?? Array((0..<rank).reversed())
        guard order.count == rank else { throw OperationError("perm \(order) for an input of rank \(rank)") }
        return order
    }

    /// The input's dimensions in the permuted order.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes[0] == .float32 else { throw OperationError("Transpose takes one float input") }
        return try resolved(rank: shapes[0].count).map { shapes[0][$0] }
    }

    /// The permuted copy.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        Self.view(of: inputs[0].shape, order: try resolved(rank: inputs[0].shape.count)).copy(from: inputs[0])
    }

    /// The gradient permuted back.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let order = try? resolved(rank: pass.inputShapes[0].count) else { preconditionFailure("Transpose: rank checked") }
        var inverse = order
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        return [Self.view(of: outputGradient.shape, order: inverse).copy(from: outputGradient)]
    }

    private static func view(of shape: [Int], order: [Int]) -> StridedView {
        let strides = StridedView.contiguousStrides(of: shape)
        return StridedView(shape: order.map { shape[$0] }, base: 0, strides: order.map { strides[$0] })
    }
}
