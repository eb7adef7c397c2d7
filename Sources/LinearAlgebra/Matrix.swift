/// An owned row-major matrix of `Float`, 64-byte aligned, with value semantics (copy-on-write).
public struct Matrix: Sendable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns (elements per row).
    public let columns: Int
    /// The elements (shared with a `Tensor` made from this matrix until either writes).
    var storage: AlignedStorage

    /// A `rows` × `columns` matrix of zeros.
    /// - Precondition: both sizes are non-negative.
    /// - Complexity: O(rows × columns).
    public init(rows: Int, columns: Int) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        storage = AlignedStorage(count: rows * columns)
    }

    /// A `rows` × `columns` matrix whose every element `body` writes (it must, before anything
    /// reads one; the memory is not zeroed first, which saves a pass over large activations).
    /// - Precondition: both sizes are non-negative.
    public init(rows: Int, columns: Int, writingEveryElement body: (UnsafeMutableBufferPointer<Float>) -> Void) {
        precondition(rows >= 0 && columns >= 0, "Matrix: negative shape \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        storage = AlignedStorage(count: rows * columns, zeroed: false)
        body(storage.buffer)
    }

    /// A matrix over `storage`, which holds at least `rows × columns` elements (shared, copy-on-write).
    init(rows: Int, columns: Int, sharing storage: AlignedStorage) {
        precondition(rows >= 0 && columns >= 0 && rows * columns == storage.count, "Matrix: \(rows)×\(columns) over \(storage.count) elements")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from row-major elements.
    /// - Precondition: `elements.count == rows * columns`.
    /// - Complexity: O(rows × columns).
    public init(rows: Int, columns: Int, elements: [Float]) {
        precondition(elements.count == rows * columns,
                     "Matrix: \(elements.count) elements for a \(rows)×\(columns) matrix")
        self.init(rows: rows, columns: columns)
        _ = storage.buffer.update(fromContentsOf: elements)
    }

    /// The element at (`row`, `column`).
    /// - Precondition: both indices are in range.
    public subscript(row: Int, column: Int) -> Float {
        get { storage.pointer[offset(row, column)] }
        set {
            let index = offset(row, column)
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }

    /// A copy of row `index`.
    /// - Complexity: O(columns).
    public func row(_ index: Int) -> Vector {
        withRow(index) { Vector($0) }
    }

    /// Calls `body` with row `index` as a read-only buffer, without copying.
    public func withRow<R>(_ index: Int, _ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < rows, "Matrix row \(index) out of range 0..<\(rows)")
        return try body(UnsafeBufferPointer(start: storage.pointer + index * columns, count: columns))
    }

    /// Calls `body` with all elements, row-major, as a read-only buffer.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Calls `body` with all elements, row-major, as a mutable buffer (copied first if shared).
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(storage.buffer)
    }

    private func offset(_ row: Int, _ column: Int) -> Int {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                     "Matrix index (\(row), \(column)) out of range for \(rows)×\(columns)")
        return row * columns + column
    }
}

extension Matrix: Equatable {
    /// Whether both matrices have the same shape and elements.
    public static func == (lhs: Matrix, rhs: Matrix) -> Bool {
        lhs.rows == rhs.rows && lhs.columns == rhs.columns
            && lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}
