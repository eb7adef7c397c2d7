#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owned, 64-byte-aligned rows of float32 that can grow while a file is parsed.
///
/// Capacity beyond `count` is reserved but never touched, so it costs address space, not memory.
/// `@unchecked Sendable` is safe because a buffer is only mutated by the reader that builds it
/// (parallel parsers write disjoint rows) and is read-only once handed to `WordEmbeddings`.
final class RowBuffer: @unchecked Sendable {
    let dimensions: Int
    /// Read on every row access; only `appendRow` (single-threaded, while parsing) replaces it.
    @exclusivity(unchecked) private(set) var base: UnsafeMutablePointer<Float>
    private(set) var capacity: Int
    /// The number of rows filled.
    private(set) var count = 0

    /// An empty buffer with room for `capacity` rows.
    init(dimensions: Int, capacity: Int) {
        self.dimensions = dimensions
        self.capacity = max(1, capacity)
        base = Self.allocate(rows: self.capacity, dimensions: dimensions)
    }

    /// The address of row `index`.
    func row(_ index: Int) -> UnsafeMutablePointer<Float> { base + index * dimensions }

    /// Marks `rows` rows as filled (after writing them through `row(_:)`).
    /// - Precondition: `rows <= capacity`.
    func setCount(_ rows: Int) {
        precondition(rows <= capacity, "RowBuffer: \(rows) rows exceed the capacity \(capacity)")
        count = rows
    }

    /// The address of a new last row, growing the buffer (×1.5) when full.
    func appendRow() -> UnsafeMutablePointer<Float> {
        if count == capacity {
            let larger = capacity + capacity / 2 + 1
            let moved = Self.allocate(rows: larger, dimensions: dimensions)
            moved.update(from: base, count: count * dimensions)
            free(base)
            base = moved
            capacity = larger
        }
        count += 1
        return row(count - 1)
    }

    /// Keeps only the rows at `indices` (ascending), moving them to the front in order.
    func keepRows(_ indices: [Int]) {
        for (target, source) in indices.enumerated() where target != source {
            row(target).update(from: row(source), count: dimensions)
        }
        count = indices.count
    }

    private static func allocate(rows: Int, dimensions: Int) -> UnsafeMutablePointer<Float> {
        var raw: UnsafeMutableRawPointer?
        let bytes = max(64, rows * dimensions * MemoryLayout<Float>.stride)
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("RowBuffer: cannot allocate \(bytes) bytes")
        }
        return raw.bindMemory(to: Float.self, capacity: rows * dimensions)
    }

    deinit { free(base) }
}
