import Foundation
import LinearAlgebra
import Testing

@Suite("Softmax, log-softmax, log-sum-exp and argmax are stable and exact")
struct SoftmaxTests {
    func softmax(_ values: [Float]) -> [Float] {
        var result = values
        result.withUnsafeMutableBufferPointer { Kernels.softmax($0) }
        return result
    }

    @Test("softmax matches the textbook formula on moderate logits")
    func moderateLogits() {
        let logits: [Float] = [0.5, -1.25, 2, 0, 3.5]
        let exps = logits.map { Foundation.exp(Double($0)) }
        let expected = exps.map { Float($0 / exps.reduce(0, +)) }
        expectClose(softmax(logits), expected, tolerance: 1e-6)
    }

    @Test("logits near ±1e4 neither overflow nor produce NaN")
    func extremeLogits() {
        let probabilities = softmax([10_000, 9_999, -10_000])
        #expect(probabilities.allSatisfy { $0.isFinite })
        expectClose(probabilities[0], Float(1 / (1 + Foundation.exp(-1.0))), tolerance: 1e-6)
        #expect(probabilities[2] == 0)
        var logs: [Float] = [10_000, 9_999, -10_000]
        logs.withUnsafeMutableBufferPointer { Kernels.logSoftmax($0) }
        expectClose(logs[0], -Float(Foundation.log(1 + Foundation.exp(-1.0))), tolerance: 1e-6)
        expectClose(logs[2], -20_000 - Float(Foundation.log(1 + Foundation.exp(-1.0))), tolerance: 1e-6)
        let lse = [Float](repeating: -10_000, count: 4).withUnsafeBufferPointer(Kernels.logSumExp)
        expectClose(lse, -10_000 + Float(Foundation.log(4.0)), tolerance: 1e-6)
    }

    @Test("masked scores (the lowest float added) give exactly 0, never a denormal; a row of NaN or only −∞ gives NaN, as PyTorch does; any length")
    func maskedAndDegenerateRows() {
        for count in [1, 5, 16, 17, 40] {
            var row = (0..<count).map { Float($0 % 7) * 0.5 }
            for index in stride(from: 1, to: count, by: 2) { row[index] += -Float.greatestFiniteMagnitude }
            let probabilities = softmax(row)
            for index in stride(from: 1, to: count, by: 2) { #expect(probabilities[index] == 0) }
            #expect(probabilities.allSatisfy { $0 == 0 || $0.isNormal })
            expectClose(probabilities.reduce(0, +), 1, tolerance: 1e-6)
            #expect(softmax([Float](repeating: -.infinity, count: count)).allSatisfy { $0.isNaN })
            var poisoned = row
            poisoned[count / 2] = .nan
            #expect(softmax(poisoned).allSatisfy { $0.isNaN })
        }
    }

    @Test("an all-equal row gives the uniform distribution")
    func allEqual() {
        for count in 1...33 {
            let probabilities = softmax([Float](repeating: 3.25, count: count))
            expectClose(probabilities, [Float](repeating: 1 / Float(count), count: count), tolerance: 1e-6)
        }
    }

    @Test("log-sum-exp of nothing or of all -infinity is -infinity")
    func logSumExpEdges() {
        #expect([Float]().withUnsafeBufferPointer(Kernels.logSumExp) == -.infinity)
        #expect([Float](repeating: -.infinity, count: 3).withUnsafeBufferPointer(Kernels.logSumExp) == -.infinity)
    }

    @Test("argmax takes the lowest index on ties and skips NaN")
    func argmax() {
        #expect([Float]().withUnsafeBufferPointer(Kernels.argmax) == nil)
        #expect([Float]([1, 3, 3, 2]).withUnsafeBufferPointer(Kernels.argmax) == 1)
        #expect([Float]([.nan, -1, .nan]).withUnsafeBufferPointer(Kernels.argmax) == 1)
    }
}
