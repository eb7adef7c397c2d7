import LinearAlgebra

/// The inputs joined along `axis` (ONNX `Concat`): Inception and DenseNet channel stacks.
public struct Concat: Operation {
    /// `Concat`.
    public static let typeName = "Concat"
    /// The dimension they are joined along (negative counts from the end).
    public let axis: Int

    /// A concatenation along `axis`.
    public init(axis: Int) { self.axis = axis }

    /// From the attribute `axis`.
    /// - Throws: `OperationError` when it is missing or absurd.
    public init(attributes: OperationAttributes) throws {
        self.init(axis: try attributes.integer("axis", in: -64...64))
    }

    /// `axis`.
    public var attributes: OperationAttributes { ["axis": .integer(axis)] }

    /// The shared shape with the sizes along the axis added.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard let first = shapes.first, elementTypes.allSatisfy({ $0 == .float32 }) else {
            throw OperationError("Concat takes one or more float inputs")
        }
        let axis = try AxisLayout.resolved(axis, rank: first.count)
        var result = first
        for shape in shapes.dropFirst() {
            guard shape.count == first.count, shape.indices.allSatisfy({ $0 == axis || shape[$0] == first[$0] }) else {
                throw OperationError("shapes \(shapes) differ outside axis \(self.axis)")
            }
            result[axis] += shape[axis]
        }
        return result
    }

    /// The inputs one after another along the axis.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: inputs.map(\.shape), elementTypes: inputs.map(\.elementType))
        let axis = try AxisLayout.resolved(axis, rank: shape.count)
        let outer = shape[..<axis].reduce(1, *), outputRow = shape[axis...].reduce(1, *)
        return Tensor(shape: shape) { output in
            var offset = 0
            for input in inputs {
                let row = input.shape[axis...].reduce(1, *)
                input.withUnsafeBufferPointer { source in
                    for block in 0..<outer {
                        (output.baseAddress! + block * outputRow + offset).update(from: source.baseAddress! + block * row, count: row)
                    }
                }
                offset += row
            }
        }
    }

    /// Each input's slice of the gradient.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let shape = outputGradient.shape
        guard let axis = try? AxisLayout.resolved(axis, rank: shape.count) else { preconditionFailure("Concat: axis checked") }
        let outer = shape[..<axis].reduce(1, *), outputRow = shape[axis...].reduce(1, *)
        var offset = 0
        return pass.inputShapes.enumerated().map { position, inputShape in
            let row = inputShape[axis...].reduce(1, *)
            defer { offset += row }
            guard pass.needsGradient[position] else { return nil }
            let start = offset
            return Tensor(shape: inputShape) { slice in
                outputGradient.withUnsafeBufferPointer { source in
                    for block in 0..<outer {
                        (slice.baseAddress! + block * row).update(from: source.baseAddress! + block * outputRow + start, count: row)
                    }
                }
            }
        }
    }
}
