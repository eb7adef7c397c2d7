import Foundation
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

@Suite("A worker team runs every part of every step exactly once")
struct WorkerTeamTests {
    @Test("parts cover 0..<count once per step, over many steps", arguments: [1, 2, 3])
    func coverage(threads: Int) {
        WorkerTeam.with(threadCount: threads) { team in
            #expect(team.threadCount == threads)
            for step in 0..<2_000 {
                let count = [0, 1, 2, 5][step % 4]
                let seen = Mutex([Int](repeating: 0, count: count))
                team.forEachPart(count) { part in seen.withLock { $0[part] += 1 } }
                #expect(seen.withLock { $0 } == [Int](repeating: 1, count: count), "step \(step)")
            }
        }
    }

    @Test("helpers that went to sleep between steps wake for the next one")
    func sleepingHelpers() {
        WorkerTeam.with(threadCount: 2, spinLimit: 1) { team in
            for _ in 0..<20 {
                Thread.sleep(forTimeInterval: 0.002)
                let ran = Mutex(0)
                team.forEachPart(2) { _ in ran.withLock { $0 += 1 } }
                #expect(ran.withLock { $0 } == 2)
            }
        }
    }

    @Test("the body's result is returned and its error thrown")
    func resultAndError() throws {
        struct Stop: Error {}
        #expect(WorkerTeam.with(threadCount: 2) { _ in 42 } == 42)
        #expect(throws: Stop.self) { try WorkerTeam.with(threadCount: 2) { _ in throw Stop() } }
    }
}
