import LinearAlgebra
import Testing

@Suite struct PackedMatrixTests {
    @Test("a prepacked product equals the naive loop: partial panels, k beyond one packed block, beta 0 and 1, 1 and 2 threads",
          arguments: [(1, 1, 1), (5, 33, 7), (13, 49, 300), (32, 196, 16), (96, 17, 513), (7, 1, 3)])
    func equalsNaive(shape: (m: Int, n: Int, k: Int)) {
        let (m, n, k) = shape
        let a = randomValues(m * k, seed: UInt64(m * 1000 + k)), b = randomValues(k * n, seed: UInt64(n)), c = randomValues(m * n, seed: 5)
        let packed = PackedMatrix(Matrix(rows: m, columns: k, elements: a))
        for beta: Float in [0, 1] {
            let expected = Naive.gemm(transposeA: false, transposeB: false, m: m, n: n, k: k, alpha: 1, a: a, lda: k, b: b, ldb: n,
                                      beta: beta, c: c, ldc: n)
            for threads in [1, 2] {
                var actual = c
                b.withUnsafeBufferPointer { right in
                    actual.withUnsafeMutableBufferPointer { output in
                        packed.multiply(right.baseAddress!, ldb: n, into: output.baseAddress!, ldc: n, n: n, beta: beta,
                                        parallelism: Parallelism(threadCount: threads))
                    }
                }
                expectClose(actual, expected, tolerance: 1e-4, "\(m)×\(n)×\(k), beta \(beta), \(threads) thread(s)")
            }
        }
    }
}

@Suite struct ClampKernelTests {
    @Test("add-and-clamp and clamp equal the naive loop on every length 0…33", arguments: 0...33)
    func equalsNaive(length: Int) {
        let values = randomValues(length, seed: UInt64(length)).map { $0 * 10 }
        for (addend, range) in [(Float(0.5), Float(0)...6), (-1, -Float.infinity...Float.infinity), (2, -3...Float.infinity)] {
            var actual = values
            actual.withUnsafeMutableBufferPointer { Kernels.add(addend, clamping: $0, to: range) }
            #expect(actual == values.map { min(max($0 + addend, range.lowerBound), range.upperBound) })
            var clamped = values
            clamped.withUnsafeMutableBufferPointer { Kernels.clamp($0, to: range) }
            #expect(clamped == values.map { min(max($0, range.lowerBound), range.upperBound) })
        }
    }
}
