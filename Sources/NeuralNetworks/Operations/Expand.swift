import LinearAlgebra

/// The input repeated along the dimensions a target shape broadcasts it to (ONNX `Expand` with
/// its shape known at load time): the output is the broadcast of the input's shape and `shape`.
public struct Expand: Operation {
    /// `Expand`.
    public static let typeName = "Expand"
    /// The target (broadcast with the input's shape, so 1s keep the input's dimension).
    public let shape: [Int]

    /// An expansion to `shape`.
    public init(shape: [Int]) { self.shape = shape }

    /// From the attribute `shape`.
    /// - Throws: `OperationError` when it is missing or holds a negative dimension.
    public init(attributes: OperationAttributes) throws {
        let shape = try attributes.integers("shape")
        guard shape.count <= 64, shape.allSatisfy({ (0...(1 << 24)).contains($0) }) else { throw OperationError("Expand shape \(shape) is out of range") }
        self.init(shape: shape)
    }

    /// `shape`.
    public var attributes: OperationAttributes { ["shape": .integers(shape)] }

    /// The broadcast of the input's shape and the target.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1 else { throw OperationError("Expand takes one input, not \(shapes.count)") }
        return try Broadcast(shapes[0], shape).outputShape
    }

    /// The input's element type.
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { elementTypes.first ?? .float32 }

    /// The repeated input.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let target = try outputShape(for: [inputs[0].shape], elementTypes: [inputs[0].elementType])
        let expanded = Broadcast(checked: target, inputs[0].shape).expanded(Predicate.floats(inputs[0]))
        return inputs[0].elementType == .int32 ? Tensor(shape: target, integers: expanded.scalars.map { Int32($0) }) : expanded
    }

    /// The gradient summed over the repeated dimensions.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard pass.needsGradient[0] else { return [nil] }
        let shape = pass.inputShapes[0]
        return [Broadcast(checked: outputGradient.shape, shape).reduce(outputGradient, toA: false, shape: shape)]
    }
}
