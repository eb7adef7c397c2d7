import Foundation
import LinearAlgebraKernels
import Synchronization

/// A fixed team of threads for many short parallel steps in a row, such as the mini-batches of
/// training, where each step lasts tens of microseconds.
///
/// `Parallelism.forEachChunk` hands work to Dispatch, whose idle threads sleep: waking one costs
/// tens of microseconds, as much as a small step's arithmetic. The helpers of a team instead spin
/// for a while after each step (long enough to span the serial work between steps) before they
/// sleep, so handing out the next step costs well under a microsecond. A team lives only inside
/// `WorkerTeam.with(threadCount:_:)`, which stops its helpers when the body returns.
///
/// Results never depend on the thread count: `forEachPart` runs the same parts whatever the team
/// size, only on fewer or more threads.
public final class WorkerTeam: @unchecked Sendable {
    // `@unchecked Sendable`: `job` is written by the caller only while no step runs, before
    // `generation` is advanced with release ordering; helpers read it only after observing that
    // advance with acquire ordering, and the caller waits for `unfinished` to reach zero (acquire)
    // before clearing it.

    /// Threads that run parts, the caller's included; at least 1.
    public let threadCount: Int
    private let generation = Atomic<Int>(0)
    private let unfinished = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let wakeUp = NSCondition()
    private var job: (@Sendable (Int) -> Void)?
    private let spinLimit: Int

    private init(threadCount: Int, spinLimit: Int) {
        self.threadCount = threadCount
        self.spinLimit = spinLimit
    }

    /// Runs `body` with a team of `threadCount` threads (the caller and `threadCount - 1`
    /// helpers), then stops the helpers.
    /// - Parameters:
    ///   - threadCount: the threads, the caller included.
    ///   - body: the work, given the team to run steps on.
    ///   - spinLimit: how many times an idle helper checks for work (see `SpinWait`; about 1–3 ms
    ///     in all) before it sleeps until the next step.
    /// - Precondition: `threadCount >= 1`.
    public static func with<R>(threadCount: Int, spinLimit: Int = 3_000, _ body: (WorkerTeam) throws -> R) rethrows -> R {
        precondition(threadCount >= 1, "WorkerTeam needs at least one thread, got \(threadCount)")
        let team = WorkerTeam(threadCount: threadCount, spinLimit: spinLimit)
        let running = (1..<threadCount).map { helper in
            let done = DispatchSemaphore(value: 0)
            let thread = Thread { [team] in
                team.serve(helper: helper)
                done.signal()
            }
            thread.start()
            return done
        }
        defer {
            team.stopping.store(true, ordering: .releasing)
            team.advance()
            for done in running { done.wait() }
        }
        return try body(team)
    }

    /// Runs `body(part)` for every part in `0..<partCount`, spread over the team's threads (part
    /// `p` on thread `p % threadCount`; the caller takes thread 0), and returns when all are done.
    /// (`body` is escaping only because helpers hold it while they run; none keeps it afterwards.)
    public func forEachPart(_ partCount: Int, _ body: @escaping @Sendable (Int) -> Void) {
        guard partCount > 1, threadCount > 1 else {
            for part in 0..<partCount { body(part) }
            return
        }
        let threads = min(threadCount, partCount)
        job = { thread in
            guard thread < threads else { return }
            for part in stride(from: thread, to: partCount, by: threads) { body(part) }
        }
        unfinished.store(threadCount - 1, ordering: .relaxed)
        advance()
        job?(0)
        var wait = SpinWait()
        while unfinished.load(ordering: .acquiring) > 0 { wait.pause() }
        job = nil
    }

    /// Starts the next step (or the stop) and wakes helpers that went to sleep.
    private func advance() {
        generation.add(1, ordering: .releasing)
        wakeUp.lock()
        wakeUp.broadcast()
        wakeUp.unlock()
    }

    /// A helper's loop: wait for the next step, run its part, report it done.
    private func serve(helper: Int) {
        var seen = 0
        while true {
            var wait = SpinWait()
            while generation.load(ordering: .acquiring) == seen {
                if wait.count < spinLimit {
                    wait.pause()
                } else {
                    wakeUp.lock()
                    while generation.load(ordering: .acquiring) == seen { wakeUp.wait() }
                    wakeUp.unlock()
                }
            }
            seen = generation.load(ordering: .acquiring)
            if stopping.load(ordering: .acquiring) { return }
            job?(helper)
            unfinished.subtract(1, ordering: .releasing)
        }
    }
}

/// Waiting for another thread without sleeping: first a short spin with the CPU's pause hint, then
/// yielding the core at each check, so a thread that shares its core with the one it waits for
/// (a machine with fewer free cores than threads) lets that one run.
struct SpinWait {
    /// Checks made so far.
    private(set) var count = 0

    /// Waits a moment before the next check.
    mutating func pause() {
        count += 1
        if count <= 1_000 { ek_cpu_relax() } else { sched_yield() }
    }
}
