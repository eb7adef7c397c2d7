import LinearAlgebra
import Synchronization

/// The L2 norm of every row, computed on first use (on all cores) and kept; a native file
/// provides them precomputed in its mapping.
///
/// `@unchecked Sendable`: the computed buffer is written once under the mutex and only read after.
final class RowNorms: @unchecked Sendable {
    private let computed = Mutex<UnsafeMutableBufferPointer<Float>?>(nil)
    private let mapped: UnsafeBufferPointer<Float>?

    /// Norms that will be computed on first use.
    init() { mapped = nil }

    /// Norms stored in a mapped native file (kept alive by the embeddings' storage).
    init(mapped: UnsafeBufferPointer<Float>) { self.mapped = mapped }

    /// The norms of all rows of `embeddings`.
    /// - Complexity: O(count × dimensions) the first time, O(1) after.
    func values(for embeddings: WordEmbeddings) -> UnsafeBufferPointer<Float> {
        if let mapped { return mapped }
        return computed.withLock { cached in
            if let cached { return UnsafeBufferPointer(rebasing: cached[0..<embeddings.count]) }
            let norms = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, embeddings.count))
            embeddings.expectRowAccess(.sequential)
            let target = SharedPointer(base: norms.baseAddress!)
            Parallelism.available.forEachChunk(of: embeddings.count, minimumChunkSize: 4096) { rows in
                for row in rows {
                    target.base[row] = embeddings.withRow(at: row) { Kernels.l2Norm($0, count: embeddings.dimensions) }
                }
            }
            cached = norms
            return UnsafeBufferPointer(rebasing: norms[0..<embeddings.count])
        }
    }

    /// Norms for the first `rows` rows: the mapped ones, or fresh ones computed on first use.
    func prefix(rows: Int) -> RowNorms {
        mapped.map { RowNorms(mapped: UnsafeBufferPointer(rebasing: $0[0..<rows])) } ?? RowNorms()
    }

    deinit {
        computed.withLock { $0?.deallocate() }
    }
}
