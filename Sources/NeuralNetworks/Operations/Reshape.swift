import LinearAlgebra

/// The same values in another shape (ONNX `Reshape` with its target shape known when the graph
/// is built, as an attribute): 0 copies the input's dimension, −1 takes what is left.
public struct Reshape: Operation {
    /// `Reshape`.
    public static let typeName = "Reshape"
    /// The target, batch dimension included (0 and −1 as ONNX reads them).
    public let shape: [Int]

    /// A reshape to `shape`.
    public init(shape: [Int]) { self.shape = shape }

    /// From the attribute `shape`.
    /// - Throws: `OperationError` for a missing shape, two −1s or a value below −1.
    public init(attributes: OperationAttributes) throws {
        let shape = try attributes.integers("shape", in: -1...Graph.maximumElementCount)
        guard shape.count <= 16, shape.filter({ $0 == -1 }).count <= 1 else { throw OperationError("the shape \(shape) is not a reshape target") }
        self.init(shape: shape)
    }

    /// `shape`.
    public var attributes: OperationAttributes { ["shape": .integers(shape)] }

    /// The target with 0s copied and the −1 inferred.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1 else { throw OperationError("Reshape takes one input") }
        let input = shapes[0], total = input.reduce(1, *)
        var result = try shape.enumerated().map { axis, size in
            guard size != 0 else {
                guard axis < input.count else { throw OperationError("0 at axis \(axis) copies a dimension the input \(input) lacks") }
                return input[axis]
            }
            return size
        }
        if let open = result.firstIndex(of: -1) {
            let known = result.enumerated().reduce(1) { $1.offset == open ? $0 : $0 * $1.element }
            guard known > 0, total % known == 0 else { throw OperationError("\(input) cannot become \(shape)") }
            result[open] = total / known
        }
        guard Tensor.elementCount(of: result) == total else { throw OperationError("\(input) cannot become \(shape)") }
        return result
    }

    /// The input's element type (ids and booleans reshape too).
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { elementTypes.first ?? .float32 }

    /// The same values.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        inputs[0].reshaped(try outputShape(for: [inputs[0].shape], elementTypes: [inputs[0].elementType]))
    }

    /// The gradient in the input's shape.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [outputGradient.reshaped(pass.inputShapes[0])]
    }
}
