import LinearAlgebra
import NeuralNetworks

extension ImageSet {
    /// The images at `indices` as a normalised N × C × H × W tensor, each transformed by
    /// `augmentation` with `generator` (drawn in index order, so a seed gives the same batch).
    /// - Precondition: `normalization` has one entry per channel.
    public func tensor<G: RandomNumberGenerator>(_ indices: some Collection<Int>, normalization: PixelNormalization,
                                                 augmentation: ImageAugmentation = .none, using generator: inout G) -> Tensor {
        precondition(normalization.channels == shape.channels, "tensor: \(normalization.channels) channel statistics for \(shape.channels) channels")
        let size = shape.count, spatial = shape.spatialCount
        let factors = normalization.deviation.map { 1 / (255 * $0) }
        let offsets = zip(normalization.mean, normalization.deviation).map { -$0 / $1 }
        return Tensor(shape: [indices.count, shape.channels, shape.height, shape.width]) { values in
            pixels.withUnsafeBufferPointer { bytes in
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
    }

    /// Every image as a normalised tensor, without augmentation.
    public func tensor(normalization: PixelNormalization) -> Tensor {
        var unused = SplitMix64(seed: 0)
        return tensor(0..<count, normalization: normalization, using: &unused)
    }
}

/// Labelled images as training batches for a graph whose input is N × C × H × W: each batch
/// normalised and augmented as it is drawn (decoding happened once, when the set was read).
public struct ImageBatches: TrainingBatches {
    /// The images.
    public let images: ImageSet
    /// How bytes become inputs.
    public let normalization: PixelNormalization
    /// What each draw changes.
    public let augmentation: ImageAugmentation

    /// Batches of `images`.
    public init(_ images: ImageSet, normalization: PixelNormalization, augmentation: ImageAugmentation = .none) {
        self.images = images
        self.normalization = normalization
        self.augmentation = augmentation
    }

    /// The number of images.
    public var count: Int { images.count }

    /// The images at `indices`, augmented with a generator seeded by `seed`.
    public func batch(_ indices: [Int], seed: UInt64) -> TrainingBatch {
        var generator = SplitMix64(seed: seed)
        return TrainingBatch(inputs: [images.tensor(indices, normalization: normalization, augmentation: augmentation, using: &generator)],
                             labels: indices.map { images.labels[$0] })
    }
}
