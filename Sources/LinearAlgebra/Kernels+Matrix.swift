import LinearAlgebraKernels

/// Whether a matrix operand is used as stored or transposed.
public enum Transpose: Sendable, Hashable {
    /// The matrix as stored.
    case none
    /// The transpose of the matrix as stored.
    case transposed

    var kernelFlag: Int32 { self == .none ? 0 : 1 }
}

extension Kernels {
    /// `y = A x` for the row-major `rows` × `columns` matrix `A` (row stride `rowStride` floats),
    /// rows split over the threads of `parallelism`.
    ///
    /// `a` may sit at any byte address.
    /// - Precondition: `x.count == columns`, `y.count == rows`, `rowStride >= columns`.
    /// - Complexity: O(rows × columns).
    public static func multiply(
        _ a: UnsafeRawPointer, rows: Int, columns: Int, rowStride: Int,
        by x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>,
        parallelism: Parallelism = .available
    ) {
        precondition(x.count == columns && y.count == rows && rowStride >= columns,
                     "multiply: \(rows)×\(columns) matrix (stride \(rowStride)) by \(x.count) into \(y.count)")
        guard rows > 0 else { return }
        guard columns > 0, let xBase = x.baseAddress else {
            y.update(repeating: 0)
            return
        }
        let isa = InstructionSet.detected.kernelValue
        let matrix = SharedReadOnlyPointer(base: a)
        let input = SharedReadOnlyPointer(base: UnsafeRawPointer(xBase))
        let output = SharedPointer(base: y.baseAddress!)
        parallelism.forEachChunk(of: rows, minimumChunkSize: max(1, 65_536 / columns)) { range in
            ek_gemv(isa, range.count, columns, matrix.base + range.lowerBound * rowStride * 4, rowStride,
                    input.base.assumingMemoryBound(to: Float.self), output.base + range.lowerBound)
        }
    }

    /// `y = Aᵀ x` for the row-major `rows` × `columns` matrix `A` (row stride `rowStride` floats),
    /// columns split over the threads of `parallelism`.
    ///
    /// - Precondition: `x.count == rows`, `y.count == columns`, `rowStride >= columns`.
    /// - Complexity: O(rows × columns).
    public static func multiplyTransposed(
        _ a: UnsafeRawPointer, rows: Int, columns: Int, rowStride: Int,
        by x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>,
        parallelism: Parallelism = .available
    ) {
        precondition(x.count == rows && y.count == columns && rowStride >= columns,
                     "multiplyTransposed: \(rows)×\(columns) matrix (stride \(rowStride)) by \(x.count) into \(y.count)")
        guard columns > 0 else { return }
        guard rows > 0, let xBase = x.baseAddress else {
            y.update(repeating: 0)
            return
        }
        let isa = InstructionSet.detected.kernelValue
        let matrix = SharedReadOnlyPointer(base: a)
        let input = SharedReadOnlyPointer(base: UnsafeRawPointer(xBase))
        let output = SharedPointer(base: y.baseAddress!)
        let chunkColumns = max(16, 65_536 / rows)
        parallelism.forEachChunk(of: columns, minimumChunkSize: chunkColumns) { range in
            ek_gemv_transposed(isa, rows, range.count, matrix.base + range.lowerBound * 4, rowStride,
                               input.base.assumingMemoryBound(to: Float.self), output.base + range.lowerBound)
        }
    }

    /// General matrix product `C = alpha · op(A) · op(B) + beta · C` on row-major buffers, rows
    /// of `C` split over the threads of `parallelism`.
    ///
    /// `op(A)` is `m × k`, `op(B)` is `k × n`, `C` is `m × n`; `lda`, `ldb`, `ldc` are the row
    /// strides of the stored matrices. With `beta == 0` the old contents of `C` are ignored.
    /// - Precondition: the strides fit the shapes.
    /// - Complexity: O(m × n × k).
    public static func multiply(
        _ a: UnsafePointer<Float>, _ transposeA: Transpose, lda: Int,
        _ b: UnsafePointer<Float>, _ transposeB: Transpose, ldb: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int,
        m: Int, n: Int, k: Int, alpha: Float = 1, beta: Float = 0,
        parallelism: Parallelism = .available, instructionSet: InstructionSet = .detected
    ) {
        precondition(m >= 0 && n >= 0 && k >= 0, "multiply: negative shape \(m)×\(n)×\(k)")
        precondition(lda >= (transposeA == .none ? k : m) && ldb >= (transposeB == .none ? n : k) && ldc >= n,
                     "multiply: strides \(lda), \(ldb), \(ldc) too small for \(m)×\(n)×\(k)")
        let isa = instructionSet.kernelValue
        let left = SharedReadOnlyPointer(base: UnsafeRawPointer(a))
        let right = SharedReadOnlyPointer(base: UnsafeRawPointer(b))
        let output = SharedPointer(base: c)
        let minimumRows = max(1, 4_194_304 / max(1, n * k))
        parallelism.forEachChunk(of: m, minimumChunkSize: minimumRows) { rows in
            let aOffset = transposeA == .none ? rows.lowerBound * lda : rows.lowerBound
            let status = ek_gemm(isa, transposeA.kernelFlag, transposeB.kernelFlag, rows.count, n, k, alpha,
                                 left.base.assumingMemoryBound(to: Float.self) + aOffset, lda,
                                 right.base.assumingMemoryBound(to: Float.self), ldb, beta,
                                 output.base + rows.lowerBound * ldc, ldc)
            precondition(status == 0, "multiply: out of memory for the packing workspace")
        }
    }
}
