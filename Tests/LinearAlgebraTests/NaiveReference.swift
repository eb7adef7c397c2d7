/// Plain loops: the reference every SIMD kernel is checked against.
enum Naive {
    static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Double = 0
        for index in a.indices { sum += Double(a[index]) * Double(b[index]) }
        return Float(sum)
    }

    /// `alpha · op(A) · op(B) + beta · C` with row-major storage.
    static func gemm(
        transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
        a: [Float], lda: Int, b: [Float], ldb: Int, beta: Float, c: [Float], ldc: Int
    ) -> [Float] {
        var result = c
        for i in 0..<m {
            for j in 0..<n {
                var sum: Double = 0
                for p in 0..<k {
                    let x = transposeA ? a[p * lda + i] : a[i * lda + p]
                    let y = transposeB ? b[j * ldb + p] : b[p * ldb + j]
                    sum += Double(x) * Double(y)
                }
                let old = beta == 0 ? 0 : beta * c[i * ldc + j]
                result[i * ldc + j] = alpha * Float(sum) + old
            }
        }
        return result
    }
}
