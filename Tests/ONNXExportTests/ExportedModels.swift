import Classifiers
import EmbeddingStore
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import TextFeatures
import TransferLearning

/// The models the export tests write and onnxruntime ran (`Fixtures/make_export_goldens.py`):
/// every body an exported graph can come from, with random weights drawn from fixed seeds (no
/// training, so the weights are the same on every machine) and non-trivial batch-norm statistics.
enum ExportedModels {
    /// The fixture names, each a model built by `model(named:)`.
    static let names = ["convnet", "convnet-features-mlp", "graph", "graph-features-one-vs-all", "text-features-logistic"]

    static func model(named name: String) throws -> TransferModel {
        switch name {
        case "convnet":
            return TransferModel(strategy: .fromScratch, labels: labels(4), body: .convNet(try convNet()))
        case "convnet-features-mlp":
            let backbone = try convNet()
            var generator = SplitMix64(seed: 7)
            let head = MultilayerPerceptron(layers: [DenseLayer(inputs: backbone.featureCount, outputs: 16, using: &generator),
                                                     DenseLayer(inputs: 16, outputs: 3, initializer: .glorotUniform, using: &generator)])
            return TransferModel(strategy: .fixedFeatures, labels: labels(3), body: .imageFeatures(backbone, .multilayerPerceptron(head)))
        case "graph":
            return TransferModel(graphBackbone: try graphBackbone())
        case "graph-features-one-vs-all":
            let backbone = try graphBackbone()
            var generator = SplitMix64(seed: 11)
            let binaries = (0..<3).map { _ in
                LogisticRegression(weights: Matrix(rows: 2, columns: backbone.featureCount, initializer: .glorotUniform, using: &generator),
                                   bias: [Float(generator.next() % 100) / 100, -0.25])
            }
            return TransferModel(strategy: .fixedFeatures, labels: labels(3),
                                 body: .graphFeatures(backbone, .oneVersusAll(OneVersusAll(models: binaries))))
        case "text-features-logistic":
            var generator = SplitMix64(seed: 13)
            let words = ["good", "bad", "film", "plot"]
            let vectors = words.map { _ in (0..<6).map { _ in Float(generator.next() % 2000) / 1000 - 1 } }
            let featurizer = DocumentFeaturizer(embeddings: WordEmbeddings(words: words, vectors: vectors, dimensions: 6),
                                                settings: FeaturizerSettings(pooling: .meanAndMax))
            let head = LogisticRegression(weights: Matrix(rows: 3, columns: 12, initializer: .glorotUniform, using: &generator),
                                          bias: [0.1, -0.2, 0.3])
            return TransferModel(strategy: .fixedFeatures, labels: labels(3), body: .pooledFeatures(featurizer, .logisticRegression(head)))
        default:
            preconditionFailure("no export fixture \(name)")
        }
    }

    private static func labels(_ count: Int) -> [String] {
        (0..<count).map { "class \($0)" }
    }

    /// The small ConvNet on 3 × 12 × 12 images, with batch-norm statistics that are not 0 and 1.
    private static func convNet() throws -> ConvNetBackbone {
        let normalization = PixelNormalization(mean: [0.4, 0.5, 0.6], deviation: [0.2, 0.25, 0.3])
        var backbone = try ConvNetBackbone.smallConvNet(inputShape: MapShape(channels: 3, height: 12, width: 12), classNames: labels(4),
                                                        normalization: normalization, seed: 5)
        var generator = SplitMix64(seed: 6)
        backbone.network.layers = backbone.network.layers.map { layer in
            guard case .batchNormalization(var normalization) = layer else { return layer }
            normalization.runningMean = normalization.runningMean.map { _ in Float(generator.next() % 1000) / 1000 - 0.5 }
            normalization.runningVariance = normalization.runningVariance.map { _ in Float(generator.next() % 1000) / 1000 + 0.5 }
            normalization.scale = normalization.scale.map { _ in Float(generator.next() % 1000) / 1000 + 0.5 }
            normalization.shift = normalization.shift.map { _ in Float(generator.next() % 1000) / 1000 - 0.5 }
            return .batchNormalization(normalization)
        }
        return backbone
    }

    /// A graph with every operation the exporter translates: a strided convolution with
    /// asymmetric padding and a fused ReLU6, a depthwise convolution, constant padding, average
    /// pooling without the padding counted, a squeeze-and-excitation product, a residual sum, a
    /// concatenation, hard-swish, sigmoid, a clamp, max pooling, a reshape, and a dense classifier.
    private static func graphBackbone() throws -> GraphBackbone {
        var generator = SplitMix64(seed: 9)
        func convolution(_ input: Int, _ output: Int, _ geometry: WindowGeometry, groups: Int = 1) -> GraphOperation {
            var layer = Convolution2D(inputChannels: input, outputChannels: output, geometry: geometry, groups: groups, using: &generator)
            layer.bias = layer.bias.map { _ in Float(generator.next() % 1000) / 2000 - 0.25 }
            return .layer(.convolution(layer))
        }
        let stem = WindowGeometry(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, padTop: 0, padBottom: 1, padLeft: 0, padRight: 1)
        typealias Node = GraphNetwork.Node
        let nodes = [
            Node(convolution(3, 8, stem), inputs: [0], clamp: 0...6),                                             // 1: 8×6×6
            Node(convolution(8, 8, WindowGeometry(kernel: 3, padding: 1), groups: 8), inputs: [1], clamp: 0...Float.infinity),  // 2
            Node(.pad(top: 1, bottom: 0, left: 0, right: 1, value: 0.5), inputs: [2]),                            // 3: 8×7×7
            Node(.layer(.pooling(Pooling2D(.average, geometry: WindowGeometry(kernel: 3, stride: 1, padding: 1), countsPadding: false))),
                 inputs: [3]),                                                                                    // 4: 8×7×7
            Node(.layer(.globalAveragePooling), inputs: [4]),                                                     // 5: 8×1×1
            Node(convolution(8, 8, WindowGeometry(kernel: 1)), inputs: [5]),                                      // 6
            Node(.hardSigmoid(alpha: 1.0 / 6, beta: 0.5), inputs: [6]),                                           // 7
            Node(.multiply, inputs: [4, 7]),                                                                      // 8: SE product
            Node(.add, inputs: [8, 4]),                                                                           // 9: residual
            Node(.concatenate, inputs: [9, 4]),                                                                   // 10: 16×7×7
            Node(.hardSwish, inputs: [10]),                                                                       // 11
            Node(.sigmoid, inputs: [11]),                                                                         // 12
            Node(.clamp(lower: 0.2, upper: 0.8), inputs: [12]),                                                   // 13
            Node(.layer(.pooling(Pooling2D(.max, geometry: WindowGeometry(kernel: 2, stride: 2)))), inputs: [13]), // 14: 16×3×3
            Node(.layer(.globalAveragePooling), inputs: [14]),                                                    // 15: 16×1×1 features
            Node(.reshape(MapShape(channels: 4, height: 2, width: 2)), inputs: [15]),                             // 16
            Node(.layer(.dense(DenseLayer(inputs: 16, outputs: 5, initializer: .glorotUniform, using: &generator))), inputs: [16]),
        ]
        let network = try GraphNetwork(nodes: nodes, inputShape: MapShape(channels: 3, height: 12, width: 12))
        let preprocessing = ImagePreprocessing(shorterSide: 14, normalization: PixelNormalization(mean: [0.485, 0.456, 0.406],
                                                                                                 deviation: [0.229, 0.224, 0.225]))
        return GraphBackbone(network: network, preprocessing: preprocessing, classNames: labels(5), featureValue: 15)
    }
}
