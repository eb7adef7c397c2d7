import Dispatch
import Foundation
import LinearAlgebraKernels

/// How many threads a kernel may use, and the loop that spreads work over them.
///
/// Results never depend on the thread count: work is split into contiguous chunks whose
/// arithmetic is the same as in a serial run.
public struct Parallelism: Sendable, Hashable {
    /// The largest number of threads used at once; at least 1.
    public let threadCount: Int

    /// Creates a setting that uses at most `threadCount` threads.
    /// - Precondition: `threadCount >= 1`.
    public init(threadCount: Int) {
        precondition(threadCount >= 1, "Parallelism needs at least one thread, got \(threadCount)")
        self.threadCount = threadCount
    }

    /// One thread: everything runs on the caller's thread.
    public static let serial = Parallelism(threadCount: 1)

    /// One thread per processor core this process may use, read once: asking each time reads
    /// files under /sys and /proc, which cost more than a small matrix product.
    public static let available = Parallelism(threadCount: usableCoreCount())

    /// The active processor cores, narrowed on Linux to the process's affinity mask (`taskset`,
    /// container cpusets), which Foundation's count ignores: more threads than cores only adds
    /// switching.
    private static func usableCoreCount() -> Int {
        let active = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let allowed = Int(ek_affinity_core_count())
        return allowed > 0 ? min(active, allowed) : active
    }

    /// Splits `0..<count` into at most `threadCount` contiguous chunks of at least
    /// `minimumChunkSize` elements and runs `body` on each, concurrently; returns when all are done.
    ///
    /// - Parameters:
    ///   - count: the number of elements to cover; nothing runs when it is 0.
    ///   - minimumChunkSize: below this many elements per chunk, fewer threads are used.
    ///   - body: called once per chunk with its range; must be safe to call concurrently.
    /// - Complexity: O(1) besides `body`.
    public func forEachChunk(
        of count: Int, minimumChunkSize: Int = 1, _ body: @Sendable (Range<Int>) -> Void
    ) {
        guard count > 0 else { return }
        let chunks = min(threadCount, max(1, count / max(1, minimumChunkSize)))
        if chunks == 1 {
            body(0..<count)
            return
        }
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            body(Parallelism.rangeOfChunk(chunk, chunkCount: chunks, count: count))
        }
    }

    /// The `chunk`-th of `chunkCount` near-equal contiguous parts of `0..<count`.
    public static func rangeOfChunk(_ chunk: Int, chunkCount: Int, count: Int) -> Range<Int> {
        let base = count / chunkCount
        let extra = count % chunkCount
        let start = chunk * base + min(chunk, extra)
        return start..<(start + base + (chunk < extra ? 1 : 0))
    }
}

/// A pointer handed to the concurrent chunks of one `forEachChunk` (or `WorkerTeam.forEachPart`) call.
///
/// `@unchecked Sendable` is safe only under the contract its users keep: each chunk writes a
/// disjoint part of the memory, and the memory outlives the call that spreads the work.
public struct SharedPointer<Pointee>: @unchecked Sendable {
    /// The shared address.
    public let base: UnsafeMutablePointer<Pointee>

    /// Wraps `base` for concurrent chunks that write disjoint parts of it.
    public init(base: UnsafeMutablePointer<Pointee>) { self.base = base }
}

/// A read-only address handed to the concurrent chunks of one `forEachChunk` call (see
/// `SharedPointer`); nothing writes the memory while the chunks run.
public struct SharedReadOnlyPointer: @unchecked Sendable {
    /// The shared address.
    public let base: UnsafeRawPointer

    /// Wraps `base` for concurrent readers.
    public init(base: UnsafeRawPointer) { self.base = base }
}
