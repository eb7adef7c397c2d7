import LinearAlgebra

/// An operation that sums or averages over some axes (ONNX `ReduceSum`, `ReduceMean`): its
/// attributes, shapes, forward and backward passes, which differ only in the scale.
protocol AxisReduction: Operation {
    /// The reduced axes (negative counts from the end; nil: all of them).
    var axes: [Int]? { get }
    /// Whether the reduced axes stay as dimensions of size 1.
    var keepsDimensions: Bool { get }
    /// Whether the result is the mean (else the sum).
    static var averages: Bool { get }
    /// A reduction.
    init(axes: [Int]?, keepsDimensions: Bool)
}

extension AxisReduction {
    /// From the attributes `axes` (optional) and `keepdims` (default 1).
    /// - Throws: `OperationError` for repeated or absurd axes.
    public init(attributes: OperationAttributes) throws {
        let axes = try attributes.values["axes"] == nil ? nil : attributes.integers("axes", in: -64...63)
        if let axes, Set(axes).count != axes.count { throw OperationError("axes \(axes) repeat") }
        self.init(axes: axes, keepsDimensions: try attributes.integer("keepdims", default: 1, in: 0...1) == 1)
    }

    /// `axes` when given, and `keepdims`.
    public var attributes: OperationAttributes {
        var values: [String: OperationAttributes.Value] = ["keepdims": .integer(keepsDimensions ? 1 : 0)]
        if let axes { values["axes"] = .integers(axes) }
        return OperationAttributes(values)
    }

    /// The reduced axes of an input of `rank`, ascending.
    private func resolvedAxes(rank: Int) throws -> [Int] {
        try (axes ?? Array(0..<rank)).map { axis in
            let resolved = axis < 0 ? axis + rank : axis
            guard (0..<rank).contains(resolved) else { throw OperationError("axis \(axis) is outside rank \(rank)") }
            return resolved
        }.sorted()
    }

    /// The input's shape with the reduced axes at 1, or without them.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes[0] == .float32 else { throw OperationError("\(Self.typeName) takes one float input") }
        let reduced = Set(try resolvedAxes(rank: shapes[0].count))
        return shapes[0].indices.compactMap { axis in reduced.contains(axis) ? (keepsDimensions ? 1 : nil) : shapes[0][axis] }
    }

    /// The input seen with the kept axes first and the reduced ones last (each output value's
    /// inputs one contiguous run of the view), and that run's length.
    private func layout(of shape: [Int]) -> (view: StridedView, run: Int) {
        guard let reduced = try? resolvedAxes(rank: shape.count) else { preconditionFailure("\(Self.typeName): axes checked") }
        let order = shape.indices.filter { !reduced.contains($0) } + reduced, strides = StridedView.contiguousStrides(of: shape)
        return (StridedView(shape: order.map { shape[$0] }, base: 0, strides: order.map { strides[$0] }), reduced.reduce(1) { $0 * shape[$1] })
    }

    /// Each output value's sum (or mean) of its inputs.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let shape = try outputShape(for: [inputs[0].shape], elementTypes: [.float32]), (view, run) = layout(of: inputs[0].shape)
        var sums = [Double](repeating: 0, count: shape.reduce(1, *))
        inputs[0].withUnsafeBufferPointer { input in
            view.forEachElement { from, position in sums[position / run] += Double(input[from]) }
        }
        let scale = Self.averages ? 1 / Double(max(run, 1)) : 1
        return Tensor(shape: shape, elements: sums.map { Float($0 * scale) })
    }

    /// Each output's gradient spread over its inputs (divided by their count for the mean).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let (view, run) = layout(of: pass.inputShapes[0])
        let scale: Float = Self.averages ? 1 / Float(max(run, 1)) : 1
        return [Tensor(shape: pass.inputShapes[0]) { gradient in
            outputGradient.withUnsafeBufferPointer { upstream in
                view.forEachElement { to, position in gradient[to] = upstream[position / run] * scale }
            }
        }]
    }
}
