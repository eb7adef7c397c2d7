import LinearAlgebra

/// The first entries of `data` along `axis`, as many as `reference` has along `referenceAxis`:
/// a transformer's position table cut to the sequence length of the batch it is added to, so one
/// graph runs every length. Not an ONNX operator (an export computes positions with `Range`).
public struct PrefixAlong: Operation {
    /// `PrefixAlong`.
    public static let typeName = "PrefixAlong"
    /// The axis of data that is cut.
    public let axis: Int
    /// The axis of the reference whose size is kept.
    public let referenceAxis: Int

    /// A cut of `axis` to the reference's size along `referenceAxis`.
    public init(axis: Int, referenceAxis: Int) { (self.axis, self.referenceAxis) = (axis, referenceAxis) }

    /// From the attributes `axis` and `reference_axis`.
    /// - Throws: `OperationError` when one is missing or absurd.
    public init(attributes: OperationAttributes) throws {
        self.init(axis: try attributes.integer("axis", in: 0...63), referenceAxis: try attributes.integer("reference_axis", in: 0...63))
    }

    /// `axis` and `reference_axis`.
    public var attributes: OperationAttributes { ["axis": .integer(axis), "reference_axis": .integer(referenceAxis)] }

    /// The data (a position table) is trained; the reference only lends its size.
    public func role(ofInput position: Int) -> InputRole { position == 0 ? .weight : .data }

    /// Data's shape with the axis at the reference's size.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2, elementTypes[0] == .float32, axis < shapes[0].count, referenceAxis < shapes[1].count else {
            throw OperationError("PrefixAlong cuts float data along axis \(axis) to a reference's size along axis \(referenceAxis)")
        }
        guard shapes[1][referenceAxis] <= shapes[0][axis] else {
            throw OperationError("the reference's \(shapes[1][referenceAxis]) entries exceed the \(shapes[0][axis]) of the data")
        }
        var shape = shapes[0]
        shape[axis] = shapes[1][referenceAxis]
        return shape
    }

    /// The first entries.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let data = inputs[0], shape = try outputShape(for: [data.shape, inputs[1].shape], elementTypes: [.float32, inputs[1].elementType])
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
        let kept = shape[axis] * inner, stride = data.shape[axis] * inner
        return Tensor(shape: shape) { output in
            data.withUnsafeBufferPointer { source in
                for block in 0..<outer {
                    (output.baseAddress! + block * kept).update(from: source.baseAddress! + block * stride, count: kept)
                }
            }
        }
    }

    /// The gradient in the first entries, zeros after them.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard pass.needsGradient[0] else { return [nil, nil] }
        let shape = pass.inputShapes[0]
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        let kept = outputGradient.shape[axis] * inner, stride = shape[axis] * inner
        var gradient = Tensor(zeros: shape)
        gradient.withUnsafeMutableBufferPointer { target in
            outputGradient.withUnsafeBufferPointer { source in
                for block in 0..<outer {
                    (target.baseAddress! + block * stride).update(from: source.baseAddress! + block * kept, count: kept)
                }
            }
        }
        return [gradient, nil]
    }
}
