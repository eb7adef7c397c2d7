/// A tensor seen as outer × axis × inner around one dimension: the layout of operations that
/// work along one axis (softmax, concatenation, normalisation).
struct AxisLayout {
    let outer: Int, size: Int, inner: Int

    /// The layout of `shape` around `axis` (negative counts from the end).
    /// - Throws: `OperationError` when the axis is outside the rank.
    init(_ shape: [Int], axis: Int) throws {
        let resolved = try Self.resolved(axis, rank: shape.count)
        outer = shape[..<resolved].reduce(1, *)
        size = shape[resolved]
        inner = shape[(resolved + 1)...].reduce(1, *)
    }

    /// `axis` as a dimension of a tensor of `rank` (negative counts from the end).
    /// - Throws: `OperationError` when it is outside the rank.
    static func resolved(_ axis: Int, rank: Int) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(resolved) else { throw OperationError("axis \(axis) is outside rank \(rank)") }
        return resolved
    }

    /// Calls `body` with every line along the axis: its first element's offset (the others follow at `inner` steps).
    func forEachLine(_ body: (Int) -> Void) {
        for block in 0..<outer {
            for position in 0..<inner { body(block * size * inner + position) }
        }
    }
}
