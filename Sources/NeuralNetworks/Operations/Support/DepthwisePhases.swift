import LinearAlgebra

/// The backward pass of one depthwise map as long vector products. The input map, zero-padded to
/// the window's reach, is split into its stride phases (rows and columns of the same remainder
/// modulo the stride), and the output gradient laid out in rows as wide as a phase, zeros after
/// each row's end. Then every tap reads one phase at one offset: its filter gradient is a single
/// dot product over the whole map and its input gradient a single axpy into that phase's
/// gradient (the zeros make the values that run past a row's end add nothing).
struct DepthwisePhases: Sendable {
    let geometry: WindowGeometry
    let height: Int, width: Int, outputHeight: Int, outputWidth: Int
    /// Each phase's rows (one spare row of zeros, for the last tap's overrun) and columns.
    let phaseHeight: Int, phaseWidth: Int

    init(_ geometry: WindowGeometry, height: Int, width: Int, outputHeight: Int, outputWidth: Int) {
        self.geometry = geometry
        (self.height, self.width, self.outputHeight, self.outputWidth) = (height, width, outputHeight, outputWidth)
        // The padded map reaches as far as the last output's window does.
        let paddedHeight = (outputHeight - 1) * geometry.strideY + (geometry.kernelHeight - 1) * geometry.dilationY + 1
        let paddedWidth = (outputWidth - 1) * geometry.strideX + (geometry.kernelWidth - 1) * geometry.dilationX + 1
        phaseHeight = (paddedHeight + geometry.strideY - 1) / geometry.strideY + 1
        phaseWidth = (paddedWidth + geometry.strideX - 1) / geometry.strideX
    }

    private var phaseCount: Int { geometry.strideY * geometry.strideX }
    private var phaseSize: Int { phaseHeight * phaseWidth }

    /// A thread's buffers: the input's phases, their gradients, the output gradient's rows.
    struct Scratch {
        var phases: [Float], phaseGradients: [Float], upstreamRows: [Float]

        init(_ layout: DepthwisePhases, inputGradient: Bool) {
            phases = [Float](repeating: 0, count: layout.phaseCount * layout.phaseSize)
            phaseGradients = inputGradient ? phases : []
            upstreamRows = [Float](repeating: 0, count: layout.outputHeight * layout.phaseWidth)
        }
    }

    /// Where padded position (`row`, `column`) lies: its phase's first value plus its offset there.
    private func phaseIndex(row: Int, column: Int) -> Int {
        ((row % geometry.strideY) * geometry.strideX + column % geometry.strideX) * phaseSize
            + (row / geometry.strideY) * phaseWidth + column / geometry.strideX
    }

    /// Calls `body` for every run of input values that lie side by side in one phase row: the
    /// first value's index in the map (the next ones `strideX` apart), its index among the
    /// phases, and the run's length — one run per input row and column remainder.
    private func forEachPhaseRun(rows: Int, columns: Int, _ body: (_ sourceStart: Int, _ phaseStart: Int, _ count: Int) -> Void) {
        let (strideX, padTop, padLeft) = (geometry.strideX, geometry.padTop, geometry.padLeft)
        for iy in 0..<rows {
            for remainder in 0..<strideX {
                // The first input column whose padded column has this remainder.
                let first = ((remainder - padLeft) % strideX + strideX) % strideX
                guard first < columns else { continue }
                body(iy * width + first, phaseIndex(row: iy + padTop, column: first + padLeft), (columns - first + strideX - 1) / strideX)
            }
        }
    }

    /// Adds one map's filter gradient into `filterGradient` and, when given, its input gradient
    /// into `inputGradient`.
    func backward(source: UnsafePointer<Float>, upstream: UnsafePointer<Float>, filter: UnsafePointer<Float>,
                  filterGradient: UnsafeMutablePointer<Float>, inputGradient: UnsafeMutablePointer<Float>?, scratch: inout Scratch) {
        let (padTop, padLeft) = (geometry.padTop, geometry.padLeft)
        // The padded rows and columns that hold input values (a window never reaches past the others).
        let rows = max(0, min(height, phaseHeight * geometry.strideY - padTop)), columns = max(0, min(width, phaseWidth * geometry.strideX - padLeft))
        let length = outputHeight * phaseWidth
        scratch.upstreamRows.withUnsafeMutableBufferPointer { upstreamRows in
            for oy in 0..<outputHeight {
                (upstreamRows.baseAddress! + oy * phaseWidth).update(from: upstream + oy * outputWidth, count: outputWidth)
            }
            scratch.phases.withUnsafeMutableBufferPointer { phases in
                phases.update(repeating: 0)
                forEachPhaseRun(rows: rows, columns: columns) { sourceStart, phaseStart, count in
                    let stride = geometry.strideX
                    for k in 0..<count { phases[phaseStart + k] = source[sourceStart + k * stride] }
                }
                if inputGradient != nil { scratch.phaseGradients.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
                scratch.phaseGradients.withUnsafeMutableBufferPointer { phaseGradients in
                    for ky in 0..<geometry.kernelHeight {
                        for kx in 0..<geometry.kernelWidth {
                            let tap = ky * geometry.kernelWidth + kx
                            let start = phaseIndex(row: ky * geometry.dilationY, column: kx * geometry.dilationX)
                            filterGradient[tap] += Kernels.dot(UnsafeRawPointer(upstreamRows.baseAddress), UnsafeRawPointer(phases.baseAddress! + start),
                                                               count: length)
                            if inputGradient != nil {
                                Kernels.axpy(filter[tap], UnsafeRawPointer(upstreamRows.baseAddress),
                                             UnsafeMutableBufferPointer(rebasing: phaseGradients[start..<(start + length)]))
                            }
                        }
                    }
                    guard let inputGradient else { return }
                    forEachPhaseRun(rows: rows, columns: columns) { sourceStart, phaseStart, count in
                        let stride = geometry.strideX
                        for k in 0..<count { inputGradient[sourceStart + k * stride] += phaseGradients[phaseStart + k] }
                    }
                }
            }
        }
    }
}
