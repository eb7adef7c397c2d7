import LinearAlgebra

/// The unfolding that turns a convolution into a matrix product: for `channels` input maps of
/// `height` × `width`, a matrix with one row per (channel, kernel row, kernel column) tap and
/// one column per output position, holding the input value that tap reads there (0 in the padding).
struct Im2Col {
    let geometry: WindowGeometry
    let channels: Int, height: Int, width: Int
    let outputHeight: Int, outputWidth: Int

    /// Rows of the unfolded matrix.
    var rows: Int { channels * geometry.taps }
    /// Columns of the unfolded matrix.
    var columns: Int { outputHeight * outputWidth }

    /// Unfolds `input` (`channels` maps) into `output` (`rows` × `columns`), the channels spread
    /// over the threads of `parallelism`.
    func unfold(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, parallelism: Parallelism = .serial) {
        guard parallelism.threadCount > 1 else { return unfold(input, into: output, channels: 0..<channels) }
        let source = SharedReadOnlyPointer(base: UnsafeRawPointer(input)), target = SharedPointer(base: output)
        parallelism.forEachChunk(of: channels, minimumChunkSize: max(1, 65_536 / max(1, geometry.taps * columns))) { range in
            unfold(source.base.assumingMemoryBound(to: Float.self), into: target.base, channels: range)
        }
    }

    /// Unfolds the maps of `range` into their rows of `output`.
    private func unfold(_ input: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, channels range: Range<Int>) {
        var row = range.lowerBound * geometry.kernelHeight * geometry.kernelWidth
        for channel in range {
            let map = input + channel * height * width
            for ky in 0..<geometry.kernelHeight {
                for kx in 0..<geometry.kernelWidth {
                    let line = output + row * columns
                    for oy in 0..<outputHeight {
                        let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                        let out = line + oy * outputWidth
                        guard iy >= 0 && iy < height else {
                            out.update(repeating: 0, count: outputWidth)
                            continue
                        }
                        let source = map + iy * width
                        let firstX = kx * geometry.dilationX - geometry.padLeft
                        if geometry.strideX == 1 && firstX >= 0 && firstX + outputWidth <= width {
                            out.update(from: source + firstX, count: outputWidth)
                            continue
                        }
                        for ox in 0..<outputWidth {
                            let ix = ox * geometry.strideX + firstX
                            out[ox] = ix >= 0 && ix < width ? source[ix] : 0
                        }
                    }
                    row += 1
                }
            }
        }
    }

    /// Adds the unfolded gradient `unfolded` (`rows` × `columns`) back onto the input maps it was
    /// read from (the adjoint of `unfold`).
    func fold(_ unfolded: UnsafePointer<Float>, addingInto input: UnsafeMutablePointer<Float>) {
        var row = 0
        for channel in 0..<channels {
            let map = input + channel * height * width
            for ky in 0..<geometry.kernelHeight {
                for kx in 0..<geometry.kernelWidth {
                    let line = unfolded + row * columns
                    for oy in 0..<outputHeight {
                        let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                        guard iy >= 0 && iy < height else { continue }
                        let target = map + iy * width, source = line + oy * outputWidth
                        let firstX = kx * geometry.dilationX - geometry.padLeft
                        for ox in 0..<outputWidth {
                            let ix = ox * geometry.strideX + firstX
                            if ix >= 0 && ix < width { target[ix] += source[ox] }
                        }
                    }
                    row += 1
                }
            }
        }
    }
}
