import LinearAlgebra
import NeuralNetworks

/// A published image classifier (an ImageNet ConvNet read from ONNX) with what it needs to read
/// photos — its preprocessing and class names — and the value whose output serves as features
/// for other tasks (its global average pool).
public struct GraphBackbone: Sendable {
    /// The whole network, image to class scores (logits).
    public var network: GraphNetwork
    /// How photos become inputs.
    public var preprocessing: ImagePreprocessing
    /// The classes it was trained on, by output index.
    public var classNames: [String]
    /// The network value whose output is the feature vector.
    public var featureValue: Int

    /// A backbone from its parts.
    /// - Precondition: one class name per output, one normalisation entry per input channel, and
    ///   `featureValue` a value of the network.
    public init(network: GraphNetwork, preprocessing: ImagePreprocessing, classNames: [String], featureValue: Int) {
        precondition(classNames.count == network.outputShape.count && preprocessing.normalization.channels == network.inputShape.channels
                     && (0...network.nodes.count).contains(featureValue), "GraphBackbone: inconsistent parts")
        self.network = network
        self.preprocessing = preprocessing
        self.classNames = classNames
        self.featureValue = featureValue
    }

    /// The input shape images are fitted to.
    public var inputShape: MapShape { network.inputShape }

    /// The number of features.
    public var featureCount: Int { network.shapes[featureValue].count }

    /// Runs `images` through the network in batches of `batchSize`, handing each batch's
    /// requested values to `body` with the batch's first image index.
    public func forEachBatch(of images: ImageSet, values: [Int], batchSize: Int = 16, parallelism: Parallelism = .available,
                             _ body: (Int, [FeatureMaps]) -> Void) {
        precondition(images.shape == inputShape, "GraphBackbone: images of \(images.shape), the network takes \(inputShape)")
        var unused = SplitMix64(seed: 0)
        for start in stride(from: 0, to: images.count, by: batchSize) {
            let inputs = images.inputs(start..<min(images.count, start + batchSize), normalization: preprocessing.normalization, using: &unused)
            body(start, network.forward(inputs, outputs: values, parallelism: parallelism))
        }
    }

    /// The feature vector of every image, as rows.
    public func features(of images: ImageSet, parallelism: Parallelism = .available) -> Matrix {
        rows(of: images, value: featureValue, parallelism: parallelism)
    }

    /// The class scores (logits) of every image, as rows.
    public func logits(of images: ImageSet, parallelism: Parallelism = .available) -> Matrix {
        rows(of: images, value: network.output, parallelism: parallelism)
    }

    private func rows(of images: ImageSet, value: Int, parallelism: Parallelism) -> Matrix {
        let width = network.shapes[value].count
        var result = Matrix(rows: images.count, columns: width)
        forEachBatch(of: images, values: [value], parallelism: parallelism) { start, outputs in
            outputs[0].values.withUnsafeBufferPointer { values in
                result.withUnsafeMutableBufferPointer { target in
                    _ = UnsafeMutableBufferPointer(rebasing: target[(start * width)...]).update(fromContentsOf: values)
                }
            }
        }
        return result
    }
}
