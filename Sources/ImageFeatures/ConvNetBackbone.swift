import LinearAlgebra
import NeuralNetworks

/// A ConvNet pre-trained on some classes, with what it needs to read raw images — the pixel
/// normalisation it was trained with and its class names — and the layer whose output serves as
/// features for other tasks.
public struct ConvNetBackbone: Sendable {
    /// The whole network, input to class scores.
    public var network: SequentialNetwork
    /// How pixels become inputs.
    public var normalization: PixelNormalization
    /// The classes it was trained on, by output index.
    public var classNames: [String]
    /// Features are the output of the first `featureLayer` layers.
    public var featureLayer: Int

    /// A backbone from its parts.
    /// - Precondition: one class name per output, one normalisation entry per input channel, and
    ///   `featureLayer` within `1...network.layers.count`.
    public init(network: SequentialNetwork, normalization: PixelNormalization, classNames: [String], featureLayer: Int) {
        precondition(classNames.count == network.outputShape.count && normalization.channels == network.inputShape.channels
                     && (1...network.layers.count).contains(featureLayer), "ConvNetBackbone: inconsistent parts")
        self.network = network
        self.normalization = normalization
        self.classNames = classNames
        self.featureLayer = featureLayer
    }

    /// The input shape images must have.
    public var inputShape: MapShape { network.inputShape }

    /// The number of features: the size of the feature layer's output.
    public var featureCount: Int { network.shapes[featureLayer - 1].count }

    /// The feature layer's output for every image, as rows.
    public func features(of images: ImageSet, parallelism: Parallelism = .available) -> Matrix {
        precondition(images.shape == inputShape, "features: images of \(images.shape), the backbone takes \(inputShape)")
        var result = Matrix(rows: images.count, columns: featureCount)
        var unused = SplitMix64(seed: 0)
        for start in stride(from: 0, to: images.count, by: 256) {
            let chunk = start..<min(images.count, start + 256)
            let output = network.forward(images.inputs(chunk, normalization: normalization, using: &unused), upTo: featureLayer,
                                         parallelism: parallelism)
            output.values.withUnsafeBufferPointer { values in
                result.withUnsafeMutableBufferPointer { target in
                    _ = UnsafeMutableBufferPointer(rebasing: target[(start * featureCount)...]).update(fromContentsOf: values)
                }
            }
        }
        return result
    }
}

extension ConvNetBackbone {
    /// The project's small ConvNet, untrained: two blocks of 3 × 3 convolution (32, then 64
    /// filters), batch normalisation, ReLU and 2 × 2 max pooling; then flatten, dropout, a dense
    /// layer of 128 with ReLU and dropout, and the class scores. Features default to the
    /// flattened last conv block (layer 9), measured to transfer better than the dense layer.
    /// - Parameters:
    ///   - classNames: the classes of its output layer.
    ///   - dropout: the dropout rate of the two dropout layers.
    ///   - seed: seeds the initial weights.
    ///   - inputShape: channels × height × width of the images (height and width at least 4).
    ///   - normalization: the pixel statistics (usually measured on the training images).
    public static func smallConvNet(inputShape: MapShape, classNames: [String], normalization: PixelNormalization,
                                    dropout: Float = 0.25, seed: UInt64) throws -> ConvNetBackbone {
        var generator = SplitMix64(seed: seed)
        func block(_ input: Int, _ output: Int) -> [NetworkLayer] {
            [.convolution(Convolution2D(inputChannels: input, outputChannels: output, geometry: WindowGeometry(kernel: 3, padding: 1),
                                        using: &generator)),
             .batchNormalization(BatchNormalization(channels: output)), .relu,
             .pooling(Pooling2D(.max, geometry: WindowGeometry(kernel: 2, stride: 2)))]
        }
        var layers = block(inputShape.channels, 32) + block(32, 64) + [.flatten, .dropout(rate: dropout)]
        let flattened = 64 * (inputShape.height / 4) * (inputShape.width / 4)
        layers += [.dense(.init(inputs: flattened, outputs: 128, using: &generator)), .relu, .dropout(rate: dropout),
                   .dense(.init(inputs: 128, outputs: classNames.count, using: &generator))]
        let network = try SequentialNetwork(layers: layers, inputShape: inputShape)
        return ConvNetBackbone(network: network, normalization: normalization, classNames: classNames, featureLayer: 9)
    }
}
