import LinearAlgebra

/// A bag of embedding rows pooled into one vector: the input layer of a text network.
///
/// Row ids `0..<base.count` are the pre-trained rows (frozen or trainable, by type), the ids after
/// them the rows added for the task (words without a pre-trained vector, hashed n-gram buckets),
/// which always train.
public struct EmbeddingBag: Sendable {
    /// The pre-trained rows: a read-only selection of the store, or an owned overlay that trains.
    public enum BaseRows: Sendable {
        /// Read through, never written.
        case frozen(FrozenRows)
        /// Copied into an overlay that training updates.
        case trainable(TrainableRows)

        /// The number of rows.
        public var count: Int {
            switch self {
            case .frozen(let rows): rows.count
            case .trainable(let rows): rows.count
            }
        }
    }

    /// How the rows of a bag are combined.
    public enum Pooling: String, Sendable, Hashable, Codable {
        /// The mean of the rows.
        case mean
        /// The mean followed by the per-dimension maximum (twice the width).
        case meanAndMax = "mean-max"
    }

    /// The pre-trained rows (ids `0..<base.count`).
    public internal(set) var base: BaseRows
    /// The rows added for the task (ids from `base.count` on).
    public internal(set) var added: TrainableRows
    /// Floats per row.
    public let dimensions: Int
    /// How rows are pooled.
    public let pooling: Pooling

    /// A bag over these rows.
    /// - Precondition: `added` rows have `dimensions` columns, as do the base rows.
    public init(base: BaseRows, added: TrainableRows, dimensions: Int, pooling: Pooling) {
        precondition(added.values.columns == dimensions, "EmbeddingBag: added rows of \(added.values.columns) columns, not \(dimensions)")
        if case .trainable(let rows) = base {
            precondition(rows.values.columns == dimensions, "EmbeddingBag: base rows of \(rows.values.columns) columns, not \(dimensions)")
        }
        if case .frozen(let rows) = base {
            precondition(rows.dimensions == dimensions, "EmbeddingBag: base rows of \(rows.dimensions) columns, not \(dimensions)")
        }
        self.base = base
        self.added = added
        self.dimensions = dimensions
        self.pooling = pooling
    }

    /// The number of row ids.
    public var rowCount: Int { base.count + added.count }
    /// The width of a pooled vector.
    public var outputWidth: Int { pooling == .meanAndMax ? 2 * dimensions : dimensions }
    /// Whether training may write the pre-trained rows.
    public var trainsBase: Bool {
        if case .trainable = base { return true }
        return false
    }

    /// Pools the rows `ids` into `output` (`outputWidth` floats); zeros for an empty bag. With
    /// mean-max pooling, `argmax` (when given, `dimensions` slots) receives the id that gave each
    /// maximum, for the backward pass.
    /// - Complexity: O(ids × dimensions).
    public func pool(_ ids: UnsafeBufferPointer<Int32>, into output: UnsafeMutableBufferPointer<Float>,
                     argmax: UnsafeMutablePointer<Int32>? = nil) {
        precondition(output.count == outputWidth, "pool: output of \(output.count) for width \(outputWidth)")
        let baseCount = base.count, dimensions = dimensions
        added.values.withUnsafeBufferPointer { addedValues in
            let addedRows = UnsafeRawPointer(addedValues.baseAddress!)
            switch base {
            case .frozen(let rows):
                Self.pool(ids, into: output, argmax: argmax, dimensions: dimensions, pooling: pooling) { id in
                    id < baseCount ? rows.source.rowAddress(at: Int(rows.sourceRows[id])) : addedRows + 4 * (id - baseCount) * dimensions
                }
            case .trainable(let rows):
                rows.values.withUnsafeBufferPointer { baseValues in
                    let baseRows = UnsafeRawPointer(baseValues.baseAddress!)
                    Self.pool(ids, into: output, argmax: argmax, dimensions: dimensions, pooling: pooling) { id in
                        id < baseCount ? baseRows + 4 * id * dimensions : addedRows + 4 * (id - baseCount) * dimensions
                    }
                }
            }
        }
    }

    /// The pooling loop over rows found by `row` (an id → its floats).
    @inline(__always)
    static func pool(_ ids: UnsafeBufferPointer<Int32>, into output: UnsafeMutableBufferPointer<Float>,
                     argmax: UnsafeMutablePointer<Int32>?, dimensions: Int, pooling: Pooling,
                     row address: (Int) -> UnsafeRawPointer) {
        output.update(repeating: 0)
        guard !ids.isEmpty else { return }
        let mean = UnsafeMutableBufferPointer(rebasing: output[0..<dimensions])
        for (position, id) in ids.enumerated() {
            let row = address(Int(id))
            Kernels.axpy(1, row, mean)
            guard pooling == .meanAndMax else { continue }
            for index in 0..<dimensions {
                let value = row.loadUnaligned(fromByteOffset: 4 * index, as: Float.self)
                if position == 0 || value > output[dimensions + index] {
                    output[dimensions + index] = value
                    argmax?[index] = id
                }
            }
        }
        Kernels.scale(mean, by: 1 / Float(ids.count))
    }
}
