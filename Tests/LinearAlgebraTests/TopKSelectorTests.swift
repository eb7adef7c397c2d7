import LinearAlgebra
import Testing

@Suite("TopKSelector keeps the k best, ties to the lower index")
struct TopKSelectorTests {
    /// The reference: sort everything by (score descending, index ascending), take k.
    func naiveTopK(_ values: [Float], k: Int) -> [Int] {
        values.indices.filter { !values[$0].isNaN }
            .sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
            .prefix(k).map { $0 }
    }

    @Test("matches sorting on random values with many ties, for every k up to 33")
    func matchesSorting() {
        var generator = SplitMix64Reference(seed: 3)
        for trial in 0..<50 {
            let values = (0..<Int(generator.next() % 60)).map { _ in Float(generator.next() % 8) }
            for k in 0...33 {
                let result = values.withUnsafeBufferPointer { Kernels.topK($0, k: k) }
                #expect(result.map(\.index) == naiveTopK(values, k: k), "trial \(trial) k \(k)")
                #expect(result.map(\.score) == result.map { values[$0.index] })
            }
        }
    }

    @Test("merging selectors filled from disjoint ranges equals one pass")
    func merge() {
        let values = randomValues(1000, seed: 8).map { ($0 * 10).rounded() }
        var left = TopKSelector(k: 10), right = TopKSelector(k: 10)
        for index in 0..<500 { left.offer(index: index, score: values[index]) }
        for index in 500..<1000 { right.offer(index: index, score: values[index]) }
        right.merge(left)
        #expect(right.sortedResults().map(\.index) == naiveTopK(values, k: 10))
    }

    @Test("NaN scores are ignored and the threshold tracks the weakest kept score")
    func nanAndThreshold() {
        var selector = TopKSelector(k: 2)
        #expect(selector.threshold == -.infinity)
        selector.offer(index: 0, score: .nan)
        selector.offer(index: 1, score: 0.5)
        selector.offer(index: 2, score: 0.9)
        selector.offer(index: 3, score: 0.1)
        #expect(selector.threshold == 0.5)
        #expect(selector.sortedResults().map(\.index) == [2, 1])
    }
}
