extension Matrix {
    /// The matrix-vector product `self · vector`.
    /// - Precondition: `vector.count == columns`.
    /// - Complexity: O(rows × columns).
    public func multiplied(by vector: Vector, parallelism: Parallelism = .available) -> Vector {
        var result = Vector(count: rows)
        withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    Kernels.multiply(UnsafeRawPointer(a.baseAddress!), rows: rows, columns: columns,
                                     rowStride: columns, by: x, into: y, parallelism: parallelism)
                }
            }
        }
        return result
    }

    /// The product `selfᵀ · vector`.
    /// - Precondition: `vector.count == rows`.
    /// - Complexity: O(rows × columns).
    public func transposedMultiplied(by vector: Vector, parallelism: Parallelism = .available) -> Vector {
        var result = Vector(count: columns)
        withUnsafeBufferPointer { a in
            vector.withUnsafeBufferPointer { x in
                result.withUnsafeMutableBufferPointer { y in
                    Kernels.multiplyTransposed(UnsafeRawPointer(a.baseAddress!), rows: rows, columns: columns,
                                               rowStride: columns, by: x, into: y, parallelism: parallelism)
                }
            }
        }
        return result
    }

    /// `self = alpha · op(a) · op(b) + beta · self`, the general matrix product.
    ///
    /// Covers every transpose combination backpropagation needs (`Xᵀ·G`, `G·Wᵀ`, …).
    /// - Precondition: `op(a)` is `rows × k`, `op(b)` is `k × columns`.
    /// - Complexity: O(rows × columns × k).
    public mutating func multiplyAdd(
        _ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
        alpha: Float = 1, beta: Float = 0, parallelism: Parallelism = .available
    ) {
        let (m, k) = transposeA == .none ? (a.rows, a.columns) : (a.columns, a.rows)
        let (kb, n) = transposeB == .none ? (b.rows, b.columns) : (b.columns, b.rows)
        precondition(k == kb && m == rows && n == columns,
                     "multiplyAdd: op(a) \(m)×\(k) · op(b) \(kb)×\(n) into \(rows)×\(columns)")
        let (lda, ldb, ldc) = (max(1, a.columns), max(1, b.columns), max(1, columns))
        a.withUnsafeBufferPointer { left in
            b.withUnsafeBufferPointer { right in
                withUnsafeMutableBufferPointer { output in
                    Kernels.multiply(left.baseAddress!, transposeA, lda: lda, right.baseAddress!, transposeB,
                                     ldb: ldb, into: output.baseAddress!, ldc: ldc, m: m, n: n, k: k,
                                     alpha: alpha, beta: beta, parallelism: parallelism)
                }
            }
        }
    }

    /// The product `op(a) · op(b)` as a new matrix.
    /// - Precondition: the inner dimensions agree.
    /// - Complexity: O(m × n × k).
    public static func product(
        _ a: Matrix, _ b: Matrix, transposeA: Transpose = .none, transposeB: Transpose = .none,
        parallelism: Parallelism = .available
    ) -> Matrix {
        var result = Matrix(rows: transposeA == .none ? a.rows : a.columns,
                            columns: transposeB == .none ? b.columns : b.rows)
        result.multiplyAdd(a, b, transposeA: transposeA, transposeB: transposeB, parallelism: parallelism)
        return result
    }
}
