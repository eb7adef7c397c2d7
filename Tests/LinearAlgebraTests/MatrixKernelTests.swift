import LinearAlgebra
import LinearAlgebraKernels
import Testing

@Suite("Matrix kernels match naive loops on random shapes")
struct MatrixKernelTests {
    static let instructionSets = InstructionSet.allCases.filter(\.isSupported)

    @Test("matrix×vector, plain and transposed, with row strides and unaligned rows", arguments: instructionSets)
    func matrixVector(instructionSet: InstructionSet) {
        var generator = SplitMix64Reference(seed: 11)
        for trial in 0..<60 {
            let rows = Int(generator.next() % 40), columns = Int(generator.next() % 40)
            let stride = columns + Int(generator.next() % 3)
            let a = randomValues(rows * stride, seed: UInt64(trial))
            let x = randomValues(columns, seed: UInt64(trial) + 500), z = randomValues(rows, seed: UInt64(trial) + 900)
            let matrix = UnalignedFloats(a, byteOffset: trial % 4)
            var y = [Float](repeating: .nan, count: rows)
            y.withUnsafeMutableBufferPointer {
                ek_gemv(instructionSet.kernelValue, rows, columns, matrix.pointer, stride, x, $0.baseAddress)
            }
            let expected = (0..<rows).map { Naive.dot(Array(a[($0 * stride)..<($0 * stride + columns)]), x) }
            expectClose(y, expected, tolerance: 1e-5, "gemv \(rows)×\(columns)")

            var t = [Float](repeating: .nan, count: columns)
            t.withUnsafeMutableBufferPointer {
                ek_gemv_transposed(instructionSet.kernelValue, rows, columns, matrix.pointer, stride, z, $0.baseAddress)
            }
            let expectedT = (0..<columns).map { j in Naive.dot((0..<rows).map { a[$0 * stride + j] }, z) }
            expectClose(t, expectedT, tolerance: 1e-5, "gemv transposed \(rows)×\(columns)")
        }
    }

    @Test("matrix product, all transpose variants, edge tiles, alpha and beta", arguments: instructionSets)
    func matrixProduct(instructionSet: InstructionSet) {
        var generator = SplitMix64Reference(seed: 5)
        var shapes: [(Int, Int, Int)] = (0..<40).map { _ in
            (Int(generator.next() % 45), Int(generator.next() % 70), Int(generator.next() % 40))
        }
        shapes += [(0, 3, 4), (3, 0, 4), (3, 4, 0), (200, 97, 300), (13, 35, 517)]
        for (trial, (m, n, k)) in shapes.enumerated() {
            for (ta, tb) in [(false, false), (true, false), (false, true), (true, true)] {
                let lda = (ta ? m : k) + 1, ldb = (tb ? k : n) + 2, ldc = n + 1
                let a = randomValues((ta ? k : m) * lda + 1, seed: UInt64(trial * 4 + 1))
                let b = randomValues((tb ? n : k) * ldb + 1, seed: UInt64(trial * 4 + 2))
                let c = randomValues(m * ldc + 1, seed: UInt64(trial * 4 + 3))
                let (alpha, beta): (Float, Float) = [(1, 0), (-0.5, 0.25), (2, 1)][trial % 3]
                let expected = Naive.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: alpha,
                                          a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
                var result = c
                a.withUnsafeBufferPointer { a in
                    b.withUnsafeBufferPointer { b in
                        result.withUnsafeMutableBufferPointer { out in
                            Kernels.multiply(a.baseAddress!, ta ? .transposed : .none, lda: lda,
                                             b.baseAddress!, tb ? .transposed : .none, ldb: ldb,
                                             into: out.baseAddress!, ldc: ldc, m: m, n: n, k: k,
                                             alpha: alpha, beta: beta, instructionSet: instructionSet)
                        }
                    }
                }
                // Only the m × n block of C may change; the padding column keeps its value.
                expectClose(result, expected, tolerance: 1e-4, "\(m)×\(n)×\(k) ta \(ta) tb \(tb)")
            }
        }
    }

    @Test("beta 0 ignores NaN already in C")
    func betaZeroIgnoresOldValues() {
        let a = Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        var c = Matrix(rows: 2, columns: 2, elements: [.nan, .nan, .nan, .nan])
        c.multiplyAdd(a, a)
        #expect(c == Matrix(rows: 2, columns: 2, elements: [7, 10, 15, 22]))
        // Shapes that take the packed path, with edge tiles and a second block of k.
        var generator = SplitMix64(seed: 3)
        for (m, n, k) in [(20, 40, 7), (13, 35, 300), (1, 40, 7)] {
            for (ta, tb) in [(Transpose.none, Transpose.none), (.transposed, .none), (.none, .transposed), (.transposed, .transposed)] {
                let left = Matrix(rows: ta == .none ? m : k, columns: ta == .none ? k : m, initializer: .uniform(limit: 1), using: &generator)
                let right = Matrix(rows: tb == .none ? k : n, columns: tb == .none ? n : k, initializer: .uniform(limit: 1), using: &generator)
                var poisoned = Matrix(rows: m, columns: n, elements: [Float](repeating: .nan, count: m * n))
                poisoned.multiplyAdd(left, right, transposeA: ta, transposeB: tb)
                let clean = Matrix.product(left, right, transposeA: ta, transposeB: tb)
                #expect(poisoned == clean, "\(m)×\(n)×\(k) \(ta) \(tb)")
            }
        }
    }

    @Test("threads do not change the result")
    func threadCountInvariance() {
        var generator = SplitMix64(seed: 9)
        let a = Matrix(rows: 300, columns: 257, initializer: .uniform(limit: 1), using: &generator)
        let b = Matrix(rows: 257, columns: 190, initializer: .uniform(limit: 1), using: &generator)
        let serial = Matrix.product(a, b, parallelism: .serial)
        let parallel = Matrix.product(a, b, parallelism: Parallelism(threadCount: 3))
        #expect(serial == parallel)
        let x = Vector(randomValues(257, seed: 1))
        #expect(a.multiplied(by: x, parallelism: .serial) == a.multiplied(by: x, parallelism: Parallelism(threadCount: 4)))
        let z = Vector(randomValues(300, seed: 2))
        #expect(a.transposedMultiplied(by: z, parallelism: .serial)
            == a.transposedMultiplied(by: z, parallelism: Parallelism(threadCount: 4)))
    }
}
