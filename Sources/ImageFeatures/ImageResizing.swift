import NeuralNetworks

extension DecodedImage {
    /// The image resized to `width` × `height` with a bilinear (triangle) filter whose support
    /// widens by the scale factor when shrinking, so every source pixel counts — the same
    /// arithmetic as Pillow's `resize(…, BILINEAR)`: horizontal pass, then vertical, each in 22-bit
    /// fixed point rounded to 8 bits, so results equal Pillow's.
    public func resized(width newWidth: Int, height newHeight: Int) -> DecodedImage {
        resized(width: newWidth, height: newHeight, columns: 0..<newWidth, rows: 0..<newHeight)
    }

    /// The window `columns` × `rows` of the image resized to `width` × `height`, computed without
    /// the rest: each output pixel reads only its own source window, so the window equals the same
    /// crop of the whole resized image, and an absurd aspect ratio (100,000 × 1 pixels scaled to a
    /// shorter side of 256) costs only the window.
    /// - Precondition: the window lies inside the resized size.
    func resized(width newWidth: Int, height newHeight: Int, columns: Range<Int>, rows: Range<Int>) -> DecodedImage {
        precondition(newWidth > 0 && newHeight > 0 && columns.lowerBound >= 0 && columns.upperBound <= newWidth
                     && rows.lowerBound >= 0 && rows.upperBound <= newHeight && !columns.isEmpty && !rows.isEmpty, "resized: empty size")
        var image = self
        image = newWidth != width ? image.resampled(along: .horizontal, to: newWidth, keeping: columns) : image.cropped(columns: columns)
        image = newHeight != height ? image.resampled(along: .vertical, to: newHeight, keeping: rows) : image.cropped(rows: rows)
        return image
    }

    /// The columns (or rows) of `range`, as they are.
    private func cropped(columns: Range<Int>? = nil, rows: Range<Int>? = nil) -> DecodedImage {
        let columns = columns ?? 0..<width, rows = rows ?? 0..<height
        guard columns != 0..<width || rows != 0..<height else { return self }
        var result: [UInt8] = []
        result.reserveCapacity(columns.count * rows.count * channels)
        for row in rows { result += pixels[((row * width + columns.lowerBound) * channels)..<((row * width + columns.upperBound) * channels)] }
        return DecodedImage(width: columns.count, height: rows.count, channels: channels, pixels: result)
    }

    /// The image scaled so its shorter side is `shorterSide` (default: the target's; keeping the
    /// aspect ratio, the longer side truncated, as torchvision's `Resize(size)`), then cropped
    /// around its centre to `shape`'s height and width (torchvision's `CenterCrop`, offsets rounded
    /// half to even), converted to `shape`'s channels, as planar (CHW) bytes. A shorter side below
    /// the target's height or width scales the image just enough to cover the target instead.
    public func fitted(to shape: MapShape, shorterSide: Int? = nil) -> [UInt8] {
        // A gray image resizes as one channel, repeated into RGB after (every channel resizes alike).
        let resizedChannels = channels < 3 ? 1 : shape.channels
        let image = converted(toChannels: resizedChannels)
        let side = shorterSide ?? 0
        let (scaledWidth, scaledHeight): (Int, Int)
        if width * shape.height <= height * shape.width {
            scaledWidth = max(shape.width, side)
            scaledHeight = max(shape.height, side, height * scaledWidth / width)
        } else {
            scaledHeight = max(shape.height, side)
            scaledWidth = max(shape.width, side, width * scaledHeight / height)
        }
        let top = Int((Double(scaledHeight - shape.height) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(scaledWidth - shape.width) / 2).rounded(.toNearestOrEven))
        // Only the crop is resampled: the same pixels as resizing the whole image, then cropping.
        let crop = image.resized(width: scaledWidth, height: scaledHeight, columns: left..<(left + shape.width), rows: top..<(top + shape.height))
        var planar = [UInt8](repeating: 0, count: shape.count)
        for channel in 0..<shape.channels {
            for row in 0..<shape.height {
                for column in 0..<shape.width {
                    planar[(channel * shape.height + row) * shape.width + column] =
                        crop.pixels[(row * shape.width + column) * resizedChannels + (resizedChannels == 1 ? 0 : channel)]
                }
            }
        }
        return planar
    }

    private enum Axis { case horizontal, vertical }

    private static let precisionBits = 22

    /// One resampling pass (Pillow's `precompute_coeffs` and `ImagingResample{Horizontal,Vertical}_8bpc`).
    /// Only the outputs in `kept` are computed (the result is that many pixels along the axis).
    private func resampled(along axis: Axis, to fullSize: Int, keeping kept: Range<Int>) -> DecodedImage {
        let inputSize = axis == .horizontal ? width : height, outputSize = kept.count
        let scale = Double(inputSize) / Double(fullSize)
        let filterScale = max(scale, 1), support = filterScale
        var starts = [Int](repeating: 0, count: outputSize), weights = [[Int]](repeating: [], count: outputSize)
        for output in 0..<outputSize {
            let center = (Double(output + kept.lowerBound) + 0.5) * scale
            let first = max(Int(center - support + 0.5), 0)
            let count = min(Int(center + support + 0.5), inputSize) - first
            var taps = (0..<count).map { tap -> Double in
                let distance = abs((Double(tap + first) - center + 0.5) / filterScale)
                return distance < 1 ? 1 - distance : 0
            }
            let total = taps.reduce(0, +)
            if total != 0 { taps = taps.map { $0 / total } }
            starts[output] = first
            weights[output] = taps.map { Int(($0 < 0 ? -0.5 : 0.5) + $0 * Double(1 << Self.precisionBits)) }
        }
        let newWidth = axis == .horizontal ? outputSize : width, newHeight = axis == .horizontal ? height : outputSize
        // The weights side by side, `span` per output (zeros after a short window's taps).
        let span = weights.map(\.count).max() ?? 0
        var flat = [Int](repeating: 0, count: outputSize * span)
        for (output, taps) in weights.enumerated() { flat.replaceSubrange((output * span)..<(output * span + taps.count), with: taps) }
        var result = [UInt8](repeating: 0, count: newWidth * newHeight * channels)
        let rounding = 1 << (Self.precisionBits - 1), channels = channels, width = width
        // Consecutive taps are this far apart in the source.
        let tapStride = axis == .horizontal ? channels : width * channels
        pixels.withUnsafeBufferPointer { source in
            flat.withUnsafeBufferPointer { flat in
                result.withUnsafeMutableBufferPointer { result in
                    for row in 0..<newHeight {
                        for column in 0..<newWidth {
                            let output = axis == .horizontal ? column : row
                            let first = axis == .horizontal ? (row * width + starts[output]) * channels : (starts[output] * width + column) * channels
                            let taps = flat.baseAddress! + output * span
                            let count = min(span, (axis == .horizontal ? width : height) - starts[output])
                            for channel in 0..<channels {
                                var sum = rounding
                                var position = first + channel
                                for tap in 0..<count {
                                    sum += Int(source[position]) * taps[tap]
                                    position += tapStride
                                }
                                result[(row * newWidth + column) * channels + channel] = UInt8(clamping: sum >> Self.precisionBits)
                            }
                        }
                    }
                }
            }
        }
        return DecodedImage(width: newWidth, height: newHeight, channels: channels, pixels: result)
    }
}
