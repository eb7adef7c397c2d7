import LinearAlgebra
import Synchronization
import Testing

@Suite("Parallelism splits work into disjoint chunks that cover the range")
struct ParallelismTests {
    @Test("chunks cover 0..<count exactly once", arguments: [1, 2, 3, 8])
    func coverage(threads: Int) {
        for count in [0, 1, 2, 7, 100, 1001] {
            let seen = Mutex([Int](repeating: 0, count: count))
            Parallelism(threadCount: threads).forEachChunk(of: count) { range in
                seen.withLock { for index in range { $0[index] += 1 } }
            }
            #expect(seen.withLock { $0 } == [Int](repeating: 1, count: count), "count \(count)")
        }
    }

    @Test("a minimum chunk size limits the number of chunks")
    func minimumChunk() {
        let chunks = Mutex(0)
        Parallelism(threadCount: 8).forEachChunk(of: 100, minimumChunkSize: 40) { _ in chunks.withLock { $0 += 1 } }
        #expect(chunks.withLock { $0 } == 2)
    }
}
