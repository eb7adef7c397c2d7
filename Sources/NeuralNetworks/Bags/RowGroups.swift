import LinearAlgebra

/// Read-only rows of floats, such as the vectors of a memory-mapped embedding file.
///
/// Rows may sit at any byte address (a word2vec binary row is not 4-byte aligned); readers use
/// unaligned loads. A row's address stays valid and its floats unchanged for as long as the
/// source (or a copy of it) lives.
public protocol RowSource: Sendable {
    /// Floats per row.
    var dimensions: Int { get }
    /// The address of row `index`'s `dimensions` floats.
    func rowAddress(at index: Int) -> UnsafeRawPointer
}

/// Rows that training reads but never writes: a frozen parameter group.
///
/// It has no mutating API at all, so no optimizer can update it; the rows are a selection of a
/// `RowSource`'s rows (the pre-trained store stays mapped and read-only).
public struct FrozenRows: Sendable {
    /// Where the rows live.
    public let source: any RowSource
    /// For each row of the group, its row in `source`.
    public let sourceRows: [Int32]

    /// The rows `sourceRows` of `source`.
    /// - Precondition: every index is a row of `source` (the caller looked them up there).
    public init(source: any RowSource, sourceRows: [Int32]) {
        self.source = source
        self.sourceRows = sourceRows
    }

    /// The number of rows.
    public var count: Int { sourceRows.count }
    /// Floats per row.
    public var dimensions: Int { source.dimensions }

    /// Calls `body` with row `index`.
    @inline(__always)
    public func withRow<R>(at index: Int, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        try body(source.rowAddress(at: Int(sourceRows[index])))
    }
}

/// Rows that training updates: an owned copy (the overlay over a read-only store), with the set of
/// rows that any update touched.
public struct TrainableRows: Sendable {
    /// The current values, one row each.
    public private(set) var values: Matrix
    /// `true` for each row an update wrote (what a model file must keep).
    public private(set) var touched: [Bool]

    /// Rows with these starting values, none touched yet.
    public init(values: Matrix) {
        self.values = values
        touched = [Bool](repeating: false, count: values.rows)
    }

    /// Rows restored from a file: the values and which of them were trained.
    /// - Precondition: one flag per row.
    public init(values: Matrix, touched: [Bool]) {
        precondition(touched.count == values.rows, "TrainableRows: \(touched.count) flags for \(values.rows) rows")
        self.values = values
        self.touched = touched
    }

    /// An owned copy of `frozen`'s rows that training may update (the overlay over a read-only
    /// store), none touched yet.
    /// - Complexity: O(rows × dimensions).
    public init(copying frozen: FrozenRows) {
        var values = Matrix(rows: frozen.count, columns: frozen.dimensions)
        let width = frozen.dimensions
        values.withUnsafeMutableBufferPointer { rows in
            for row in 0..<frozen.count {
                frozen.withRow(at: row) { UnsafeMutableRawPointer(rows.baseAddress! + row * width).copyMemory(from: $0, byteCount: 4 * width) }
            }
        }
        self.init(values: values)
    }

    /// The number of rows.
    public var count: Int { values.rows }

    /// Calls `body` with row `index`.
    @inline(__always)
    public func withRow<R>(at index: Int, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        try values.withRow(index) { try body(UnsafeRawPointer($0.baseAddress!)) }
    }

    /// Writes `vector` over row `index` and marks it touched (restoring trained rows from a file).
    /// - Precondition: `vector` has a row's width.
    public mutating func restore(row index: Int, to vector: ArraySlice<Float>) {
        precondition(vector.count == values.columns, "restore: \(vector.count) values for rows of \(values.columns)")
        let columns = values.columns
        values.withUnsafeMutableBufferPointer { all in
            vector.withUnsafeBufferPointer { source in
                _ = UnsafeMutableBufferPointer(rebasing: all[(index * columns)..<((index + 1) * columns)]).update(fromContentsOf: source)
            }
        }
        touched[index] = true
    }
}

/// Rows copied into memory this source owns (the rows a self-contained model file carries).
///
/// `@unchecked Sendable` because the buffer is written once, in `init`, and only read after.
public final class OwnedRows: RowSource, @unchecked Sendable {
    /// Floats per row.
    public let dimensions: Int
    private let values: UnsafeMutableBufferPointer<Float>

    /// A copy of `matrix`'s rows.
    public init(_ matrix: Matrix) {
        dimensions = matrix.columns
        values = .allocate(capacity: Swift.max(1, matrix.rows * matrix.columns))
        matrix.withUnsafeBufferPointer { _ = values.initialize(from: $0) }
    }

    deinit { values.deallocate() }

    /// The address of row `index`.
    public func rowAddress(at index: Int) -> UnsafeRawPointer {
        UnsafeRawPointer(values.baseAddress! + index * dimensions)
    }
}

extension TrainableRows {
    /// Sets every row no update touched to zero (an untrained added row holds only its random
    /// start, which a model file need not keep).
    public mutating func zeroUntouched() {
        let columns = values.columns, touched = touched
        values.withUnsafeMutableBufferPointer { rows in
            for (row, wasTouched) in touched.enumerated() where !wasTouched {
                UnsafeMutableBufferPointer(rebasing: rows[(row * columns)..<((row + 1) * columns)]).update(repeating: 0)
            }
        }
    }
}
