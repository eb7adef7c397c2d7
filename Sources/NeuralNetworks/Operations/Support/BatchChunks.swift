import Dispatch
import LinearAlgebra

/// Splits a batch of `count` examples into one contiguous chunk per thread of `parallelism`
/// (fewer for small batches) and runs `body(chunk, range)` on each, concurrently. The chunks
/// depend only on `count` and the thread count, so per-chunk sums added up in chunk order give
/// the same bytes on every run.
func forEachExampleChunk(_ count: Int, parallelism: Parallelism, _ body: @Sendable (Int, Range<Int>) -> Void) -> Int {
    let chunks = max(1, min(parallelism.threadCount, count))
    if chunks == 1 {
        body(0, 0..<count)
    } else {
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(chunk, Parallelism.rangeOfChunk(chunk, chunkCount: chunks, count: count))
        }
    }
    return chunks
}
