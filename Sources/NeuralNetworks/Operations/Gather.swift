import LinearAlgebra

/// The entries of `data` at `indices` along `axis` (ONNX `Gather` on computed data): a
/// transformer's class token (`x[:, 0]`), rows picked from a sequence. The output's shape is
/// data's with the axis replaced by the indices' shape.
public struct Gather: Operation {
    /// `Gather`.
    public static let typeName = "Gather"
    /// The axis indexed (negative counts from the end).
    public let axis: Int

    /// A gather along `axis`.
    public init(axis: Int) { self.axis = axis }

    /// From the attribute `axis` (default 0).
    /// - Throws: `OperationError` for an absurd axis.
    public init(attributes: OperationAttributes) throws {
        self.init(axis: try attributes.integer("axis", default: 0, in: -64...63))
    }

    /// `axis`.
    public var attributes: OperationAttributes { ["axis": .integer(axis)] }

    /// Data's shape with the axis replaced by the indices' shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2, elementTypes == [.float32, .int32] else { throw OperationError("Gather takes float data and integer indices") }
        let axis = try AxisLayout.resolved(axis, rank: shapes[0].count)
        return Array(shapes[0][..<axis]) + shapes[1] + Array(shapes[0][(axis + 1)...])
    }

    /// The indices (for the backward pass).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// Each index's slice, in order.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let (data, indices) = (inputs[0], inputs[1])
        let axis = try AxisLayout.resolved(axis, rank: data.rank), size = data.shape[axis]
        let picks = try indices.integers.map { index in
            let resolved = index < 0 ? Int(index) + size : Int(index)
            guard (0..<size).contains(resolved) else { throw OperationError("index \(index) is outside 0..<\(size)") }
            return resolved
        }
        let outer = data.shape[..<axis].reduce(1, *), inner = data.shape[(axis + 1)...].reduce(1, *)
        return Tensor(shape: try outputShape(for: [data.shape, indices.shape], elementTypes: [.float32, .int32])) { output in
            data.withUnsafeBufferPointer { source in
                for block in 0..<outer {
                    for (position, pick) in picks.enumerated() {
                        (output.baseAddress! + (block * picks.count + position) * inner)
                            .update(from: source.baseAddress! + (block * size + pick) * inner, count: inner)
                    }
                }
            }
        }
    }

    /// The gradient added back at the gathered slices (an index picked twice gets both).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let shape = pass.inputShapes[0]
        guard pass.needsGradient[0], let axis = try? AxisLayout.resolved(axis, rank: shape.count) else { return [nil, nil] }
        let size = shape[axis], picks = pass.input(1).integers.map { $0 < 0 ? Int($0) + size : Int($0) }
        let outer = shape[..<axis].reduce(1, *), inner = shape[(axis + 1)...].reduce(1, *)
        var gradient = Tensor(zeros: shape)
        gradient.withUnsafeMutableBufferPointer { target in
            outputGradient.withUnsafeBufferPointer { source in
                for block in 0..<outer {
                    for (position, pick) in picks.enumerated() {
                        let from = source.baseAddress! + (block * picks.count + position) * inner, to = target.baseAddress! + (block * size + pick) * inner
                        for offset in 0..<inner { to[offset] += from[offset] }
                    }
                }
            }
        }
        return [gradient, nil]
    }
}
