import LinearAlgebra

/// `data` (size 1 along `axis`) repeated to the size of `reference` along that axis: what an
/// exported `Expand` to the batch size becomes (a transformer's class token repeated for every
/// image), the batch read from the activation it follows instead of fixed when the graph loads.
/// Not an ONNX operator: the importer makes it where an `Expand`'s target follows the batch.
public struct BroadcastAlong: Operation {
    /// `BroadcastAlong`.
    public static let typeName = "BroadcastAlong"
    /// The repeated dimension.
    public let axis: Int

    /// A broadcast along `axis`.
    public init(axis: Int) { self.axis = axis }

    /// From the attribute `axis`.
    /// - Throws: `OperationError` when it is missing or absurd.
    public init(attributes: OperationAttributes) throws {
        self.init(axis: try attributes.integer("axis", in: 0...63))
    }

    /// `axis`.
    public var attributes: OperationAttributes { ["axis": .integer(axis)] }

    /// The data (a class token, a position table) is trained; the reference only lends its size.
    public func role(ofInput position: Int) -> InputRole { position == 0 ? .weight : .data }

    /// Data's shape with the axis at the reference's size.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2, elementTypes[0] == .float32, axis < shapes[0].count, axis < shapes[1].count, shapes[0][axis] == 1 else {
            throw OperationError("BroadcastAlong repeats float data of size 1 along axis \(axis) to a reference's size")
        }
        var shape = shapes[0]
        shape[axis] = shapes[1][axis]
        return shape
    }

    /// The data repeated.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let data = inputs[0], shape = try outputShape(for: [data.shape, inputs[1].shape], elementTypes: [.float32, inputs[1].elementType])
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *), copies = shape[axis]
        return Tensor(shape: shape) { output in
            data.withUnsafeBufferPointer { source in
                for block in 0..<outer {
                    for copy in 0..<copies {
                        (output.baseAddress! + (block * copies + copy) * inner).update(from: source.baseAddress! + block * inner, count: inner)
                    }
                }
            }
        }
    }

    /// The gradient summed over the copies.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard pass.needsGradient[0] else { return [nil, nil] }
        let shape = pass.inputShapes[0], copies = outputGradient.shape[axis]
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var gradient = Tensor(zeros: shape)
        gradient.withUnsafeMutableBufferPointer { target in
            outputGradient.withUnsafeBufferPointer { source in
                for block in 0..<outer {
                    for copy in 0..<copies {
                        let from = source.baseAddress! + (block * copies + copy) * inner, to = target.baseAddress! + block * inner
                        for offset in 0..<inner { to[offset] += from[offset] }
                    }
                }
            }
        }
        return [gradient, nil]
    }
}
