import LinearAlgebra

/// A box of the input, every `steps[k]`-th element from `starts[k]` up to `ends[k]` along
/// `axes[k]` (ONNX `Slice`, with its clamping of out-of-range and negative bounds): ShuffleNet's
/// channel split, a transformer's class token.
public struct Slice: Operation {
    /// `Slice`.
    public static let typeName = "Slice"
    /// The first index along each sliced axis (negative counts from the end).
    public let starts: [Int]
    /// The index each sliced axis stops before (clamped to the dimension).
    public let ends: [Int]
    /// The sliced axes (nil: the first `starts.count`).
    public let axes: [Int]?
    /// The step along each sliced axis (nil: 1; negative runs backwards).
    public let steps: [Int]?

    /// A slice.
    public init(starts: [Int], ends: [Int], axes: [Int]? = nil, steps: [Int]? = nil) {
        (self.starts, self.ends, self.axes, self.steps) = (starts, ends, axes, steps)
    }

    /// From the attributes `starts`, `ends`, `axes` and `steps` (the last two optional).
    /// - Throws: `OperationError` when their lengths differ or a step is 0.
    public init(attributes: OperationAttributes) throws {
        let starts = try attributes.integers("starts"), ends = try attributes.integers("ends", count: starts.count)
        let axes = try attributes.values["axes"] == nil ? nil : attributes.integers("axes", count: starts.count, in: -64...63)
        let steps = try attributes.values["steps"] == nil ? nil : attributes.integers("steps", count: starts.count)
        guard !(steps ?? []).contains(0) else { throw OperationError("a Slice step is 0") }
        if let axes, Set(axes).count != axes.count { throw OperationError("Slice axes \(axes) repeat") }
        self.init(starts: starts, ends: ends, axes: axes, steps: steps)
    }

    /// `starts`, `ends`, and `axes` and `steps` when given.
    public var attributes: OperationAttributes {
        var values: [String: OperationAttributes.Value] = ["starts": .integers(starts), "ends": .integers(ends)]
        if let axes { values["axes"] = .integers(axes) }
        if let steps { values["steps"] = .integers(steps) }
        return OperationAttributes(values)
    }

    /// The view of an input of `shape` the slice takes.
    private func view(of shape: [Int]) throws -> StridedView {
        var first = [Int](repeating: 0, count: shape.count), sizes = shape, stepOf = [Int](repeating: 1, count: shape.count)
        for (position, requested) in (axes ?? Array(starts.indices)).enumerated() {
            let axis = requested < 0 ? requested + shape.count : requested
            guard (0..<shape.count).contains(axis) else { throw OperationError("Slice axis \(requested) is outside rank \(shape.count)") }
            let dimension = shape[axis], step = steps?[position] ?? 1
            func resolved(_ value: Int) -> Int { value < 0 ? value &+ dimension : value }
            let start: Int, end: Int
            if step > 0 {
                start = min(max(resolved(starts[position]), 0), dimension)
                end = min(max(resolved(ends[position]), 0), dimension)
            } else {
                start = min(max(resolved(starts[position]), 0), dimension - 1)
                end = min(max(resolved(ends[position]), -1), dimension - 1)
            }
            let span = end - start
            sizes[axis] = step > 0 ? max(0, (span + step - 1) / step) : max(0, (span + step + 1) / step)
            (first[axis], stepOf[axis]) = (start, step)
        }
        let strides = StridedView.contiguousStrides(of: shape)
        return StridedView(shape: sizes, base: zip(first, strides).reduce(0) { $0 + $1.0 * $1.1 },
                           strides: zip(stepOf, strides).map { $0 * $1 })
    }

    /// The input's shape with each sliced axis' count.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes[0] == .float32 else { throw OperationError("Slice takes one float input") }
        return try view(of: shapes[0]).shape
    }

    /// The sliced elements.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        try view(of: inputs[0].shape).copy(from: inputs[0])
    }

    /// The gradient at the sliced elements, zero elsewhere.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let view = try? view(of: pass.inputShapes[0]) else { preconditionFailure("Slice: shape checked") }
        return [view.scatter(outputGradient, into: pass.inputShapes[0])]
    }
}
