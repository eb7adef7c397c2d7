import LinearAlgebra

/// The dimensions before `axis` as rows and the rest as columns, values unchanged (ONNX `Flatten`).
public struct Flatten: Operation {
    /// `Flatten`.
    public static let typeName = "Flatten"
    /// The first dimension of the columns (1: keep the batch).
    public let axis: Int

    /// A flatten after dimension `axis` (negative counts from the end).
    public init(axis: Int = 1) { self.axis = axis }

    /// From the attribute `axis` (default 1).
    /// - Throws: `OperationError` for an absurd axis.
    public init(attributes: OperationAttributes) throws {
        self.init(axis: try attributes.integer("axis", default: 1, in: -64...64))
    }

    /// `axis`.
    public var attributes: OperationAttributes { ["axis": .integer(axis)] }

    /// (product before axis) × (product from axis).
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1 else { throw OperationError("Flatten takes one input") }
        let rank = shapes[0].count, split = axis < 0 ? axis + rank : axis
        guard (0...rank).contains(split) else { throw OperationError("axis \(axis) is outside rank \(rank)") }
        return [shapes[0][..<split].reduce(1, *), shapes[0][split...].reduce(1, *)]
    }

    /// The input's element type (ids and booleans reshape too).
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { elementTypes.first ?? .float32 }

    /// The same values in two dimensions.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        inputs[0].reshaped(try outputShape(for: [inputs[0].shape], elementTypes: [inputs[0].elementType]))
    }

    /// The gradient in the input's shape.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [outputGradient.reshaped(pass.inputShapes[0])]
    }
}
