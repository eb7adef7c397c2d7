import LinearAlgebraKernels

/// A matrix packed once for many products as their left operand — a layer's constant weights —
/// in the panel layout the matrix-product kernel reads, so no product repacks it.
public struct PackedMatrix: Sendable {
    /// The matrix itself (shapes too small to pack multiply it directly).
    public let matrix: Matrix
    /// The packed panels (one row).
    private let panels: Matrix
    /// The rows the panels hold (`matrix.rows` rounded up to whole panels).
    private let packedRows: Int

    /// Packs `matrix` for the detected instruction set.
    /// - Complexity: O(rows × columns).
    public init(_ matrix: Matrix) {
        self.matrix = matrix
        let isa = InstructionSet.detected.kernelValue
        let panelRows = ek_panel_rows(isa)
        packedRows = (matrix.rows + panelRows - 1) / panelRows * panelRows
        var panels = Matrix(rows: 1, columns: ek_packed_a_count(isa, matrix.rows, matrix.columns))
        if matrix.rows > 0 && matrix.columns > 0 {
            matrix.withUnsafeBufferPointer { source in
                panels.withUnsafeMutableBufferPointer { target in
                    ek_pack_a_whole(isa, matrix.rows, matrix.columns, source.baseAddress!, matrix.columns, target.baseAddress!)
                }
            }
        }
        self.panels = panels
    }

    /// `C = A · B + beta · C` with A this matrix (`rows × columns`), B `columns × n` (row stride
    /// `ldb`) and C `rows × n` (row stride `ldc`), rows of C split over the threads of `parallelism`.
    /// - Precondition: the strides fit the shapes.
    /// - Complexity: O(rows × n × columns).
    public func multiply(_ b: UnsafePointer<Float>, ldb: Int, into c: UnsafeMutablePointer<Float>, ldc: Int, n: Int, beta: Float = 0,
                         parallelism: Parallelism = .available) {
        let (m, k) = (matrix.rows, matrix.columns)
        precondition(n >= 0 && ldb >= n && ldc >= n, "PackedMatrix.multiply: strides \(ldb), \(ldc) too small for \(n) columns")
        guard m > 0, n > 0 else { return }
        let isa = InstructionSet.detected.kernelValue, packedRows = packedRows
        let right = SharedReadOnlyPointer(base: UnsafeRawPointer(b)), output = SharedPointer(base: c)
        matrix.withUnsafeBufferPointer { weights in
            panels.withUnsafeBufferPointer { packed in
                let left = SharedReadOnlyPointer(base: UnsafeRawPointer(weights.baseAddress!))
                let panels = SharedReadOnlyPointer(base: UnsafeRawPointer(packed.baseAddress!))
                // Columns split over the threads (in multiples of 16, a micro-tile's width): each thread
                // packs only its own columns of B, and A is packed already, so nothing is done twice.
                let tiles = (n + 15) / 16
                let minimumTiles = max(1, 262_144 / max(1, 16 * m * k))
                parallelism.forEachChunk(of: tiles, minimumChunkSize: minimumTiles) { chunk in
                    let first = chunk.lowerBound * 16, columns = min(n, chunk.upperBound * 16) - first
                    let status = ek_gemm_prepacked(isa, 0, m, columns, k, left.base.assumingMemoryBound(to: Float.self), k,
                                                   panels.base.assumingMemoryBound(to: Float.self), packedRows,
                                                   right.base.assumingMemoryBound(to: Float.self) + first, ldb, beta, output.base + first, ldc)
                    precondition(status == 0, "multiply: out of memory for the packing workspace")
                }
            }
        }
    }
}
