import NeuralNetworks

/// How bytes become network inputs: `(byte / 255 − mean[c]) / deviation[c]` per channel.
public struct PixelNormalization: Sendable, Hashable, Codable {
    /// The mean of each channel (on the 0…1 scale).
    public var mean: [Float]
    /// The standard deviation of each channel.
    public var deviation: [Float]

    /// A normalisation with these statistics.
    /// - Precondition: as many deviations as means, all positive.
    public init(mean: [Float], deviation: [Float]) {
        precondition(mean.count == deviation.count && deviation.allSatisfy { $0 > 0 }, "PixelNormalization: bad statistics")
        self.mean = mean
        self.deviation = deviation
    }

    /// The per-channel statistics of `images` (deviation floored at 1e-3 for a constant channel).
    public init(measuring images: ImageSet) {
        let channels = images.shape.channels, spatial = images.shape.spatialCount
        var sums = [Double](repeating: 0, count: channels), squares = [Double](repeating: 0, count: channels)
        for image in 0..<images.count {
            for channel in 0..<channels {
                let start = image * images.shape.count + channel * spatial
                var sum = 0, square = 0
                for byte in images.pixels[start..<(start + spatial)] {
                    sum += Int(byte)
                    square += Int(byte) * Int(byte)
                }
                sums[channel] += Double(sum)
                squares[channel] += Double(square)
            }
        }
        let n = Double(max(1, images.count * spatial))
        let mean = sums.map { $0 / n / 255 }
        let deviation = zip(squares, mean).map { max(1e-3, ($0 / n / 65_025 - $1 * $1).squareRoot()) }
        self.init(mean: mean.map(Float.init), deviation: deviation.map(Float.init))
    }

    /// The channel count.
    public var channels: Int { mean.count }
}
