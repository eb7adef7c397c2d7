/// Keeps the `k` largest scores seen so far, ties broken in favour of the lower index.
///
/// Feed it scores in any order (`offer`), merge selectors filled by different threads
/// (`merge`), then read the winners best first (`sortedResults`). NaN scores are ignored.
public struct TopKSelector: Sendable {
    /// One selected element: its index and score.
    public typealias Entry = (index: Int, score: Float)

    /// The number of elements kept.
    public let k: Int
    /// A min-heap on (score, then higher index first): the root is the weakest kept entry.
    private var heap: [Entry] = []

    /// Creates an empty selector for the best `k` entries.
    /// - Precondition: `k >= 0`.
    public init(k: Int) {
        precondition(k >= 0, "TopKSelector: k must not be negative, got \(k)")
        self.k = k
        heap.reserveCapacity(k)
    }

    /// The weakest score kept once `k` entries are held, else `-infinity`: a score must beat it.
    public var threshold: Float { heap.count == k && k > 0 ? heap[0].score : -.infinity }

    /// Considers one scored element.
    /// - Complexity: O(log k) when it is kept, O(1) otherwise.
    public mutating func offer(index: Int, score: Float) {
        guard k > 0, !score.isNaN else { return }
        if heap.count < k {
            heap.append((index, score))
            siftUp(heap.count - 1)
        } else if Self.isWeaker(heap[0], than: (index, score)) {
            heap[0] = (index, score)
            siftDown(0)
        }
    }

    /// Considers every entry another selector kept.
    /// - Complexity: O(k log k).
    public mutating func merge(_ other: TopKSelector) {
        for entry in other.heap { offer(index: entry.index, score: entry.score) }
    }

    /// The kept entries, best first (higher score, then lower index).
    /// - Complexity: O(k log k).
    public func sortedResults() -> [Entry] {
        heap.sorted { Self.isWeaker($1, than: $0) }
    }

    /// Whether `a` ranks below `b`: a lower score, or the same score at a higher index.
    private static func isWeaker(_ a: Entry, than b: Entry) -> Bool {
        a.score < b.score || (a.score == b.score && a.index > b.index)
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.isWeaker(heap[child], than: heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var weakest = parent
            if left < heap.count && Self.isWeaker(heap[left], than: heap[weakest]) { weakest = left }
            if right < heap.count && Self.isWeaker(heap[right], than: heap[weakest]) { weakest = right }
            guard weakest != parent else { return }
            heap.swapAt(parent, weakest)
            parent = weakest
        }
    }
}

extension Kernels {
    /// The `k` largest elements of `x` with their indices, best first; ties go to the lower index.
    /// - Complexity: O(n log k).
    public static func topK(_ x: UnsafeBufferPointer<Float>, k: Int) -> [TopKSelector.Entry] {
        var selector = TopKSelector(k: min(k, x.count))
        for index in x.indices { selector.offer(index: index, score: x[index]) }
        return selector.sortedResults()
    }
}
