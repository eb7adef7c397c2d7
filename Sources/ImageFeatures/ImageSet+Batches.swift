import LinearAlgebra
import NeuralNetworks

extension ImageSet {
    /// The images at `indices` as normalised network inputs, each transformed by
    /// `augmentation` with `generator` (drawn in index order, so a seed gives the same batch).
    /// - Precondition: `normalization` has one entry per channel.
    public func inputs<G: RandomNumberGenerator>(_ indices: some Collection<Int>, normalization: PixelNormalization,
                                                 augmentation: ImageAugmentation = .none, using generator: inout G) -> FeatureMaps {
        precondition(normalization.channels == shape.channels, "inputs: \(normalization.channels) channel statistics for \(shape.channels) channels")
        var maps = FeatureMaps(batch: indices.count, shape: shape)
        let size = shape.count, spatial = shape.spatialCount
        let factors = normalization.deviation.map { 1 / (255 * $0) }
        let offsets = zip(normalization.mean, normalization.deviation).map { -$0 / $1 }
        pixels.withUnsafeBufferPointer { bytes in
            maps.values.withUnsafeMutableBufferPointer { values in
                for (row, index) in indices.enumerated() {
                    let source = bytes.baseAddress! + index * size, target = values.baseAddress! + row * size
                    if augmentation.isIdentity {
                        for position in 0..<size { target[position] = Float(source[position]) }
                    } else {
                        augmentation.apply(source, into: target, channels: shape.channels, height: shape.height, width: shape.width,
                                           using: &generator)
                    }
                    for channel in 0..<shape.channels {
                        let map = target + channel * spatial
                        for position in 0..<spatial { map[position] = map[position] * factors[channel] + offsets[channel] }
                    }
                }
            }
        }
        return maps
    }

    /// Every image as normalised inputs, without augmentation.
    public func inputs(normalization: PixelNormalization) -> FeatureMaps {
        var unused = SplitMix64(seed: 0)
        return inputs(0..<count, normalization: normalization, using: &unused)
    }
}
