import Synchronization

/// Counts work done from any thread and calls a progress callback each time another whole
/// percent is reached (at most 101 calls per load).
final class ProgressCounter: Sendable {
    private let total: Int
    private let done = Atomic<Int>(0)
    private let reportedPercent = Atomic<Int>(-1)
    private let callback: LoadOptions.Progress?

    /// A counter for `total` units of work reporting to `callback` (nothing happens without one).
    init(total: Int, callback: LoadOptions.Progress?) {
        self.total = max(1, total)
        self.callback = callback
    }

    /// Records `units` more units done.
    func advance(by units: Int) {
        guard let callback else { return }
        let now = done.add(units, ordering: .relaxed).newValue
        report(now, callback)
    }

    /// Records that `units` units are done in all.
    func set(_ units: Int) {
        guard let callback else { return }
        done.store(units, ordering: .relaxed)
        report(units, callback)
    }

    private func report(_ units: Int, _ callback: LoadOptions.Progress) {
        let percent = min(100, units * 100 / total)
        var previous = reportedPercent.load(ordering: .relaxed)
        while percent > previous {
            let (exchanged, current) = reportedPercent.compareExchange(expected: previous, desired: percent, ordering: .relaxed)
            if exchanged {
                callback(Double(percent) / 100)
                return
            }
            previous = current
        }
    }
}
