import Classifiers
import EmbeddingStore
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import TextFeatures
import TransferLearning

/// The models the export tests write and onnxruntime ran (`Fixtures/make_export_goldens.py`):
/// every kind of body an exported graph can come from, with random weights drawn from fixed
/// seeds (no training, so the weights are the same on every machine) and non-trivial batch-norm
/// statistics.
enum ExportedModels {
    /// The fixture names, each a model built by `model(named:)`.
    static let names = ["convnet", "convnet-features-mlp", "graph", "graph-features-one-vs-all", "text-features-logistic"]

    static func model(named name: String) throws -> TransferModel {
        switch name {
        case "convnet":
            return TransferModel(strategy: .fromScratch, labels: labels(4), body: try convNet())
        case "convnet-features-mlp":
            let network = try convNet()
            var generator = SplitMix64(seed: 7)
            guard case .node(let feature) = network.featureValue else { preconditionFailure("the small ConvNet's features are a node") }
            var builder = GraphBuilder(continuing: network.graph, keepingNodes: feature + 1)
            var value = builder.dense(network.featureValue, inputs: network.featureCount, outputs: 16, initializer: .heNormal, name: "head1",
                                      using: &generator)
            value = builder.node(Relu(), [value])
            value = builder.dense(value, inputs: 16, outputs: 3, initializer: .glorotUniform, name: "head2", using: &generator)
            value = builder.node(Softmax(), [value], name: "probabilities")
            let graph = try builder.graph(outputs: [value])
            return TransferModel(strategy: .fixedFeatures, labels: labels(3),
                                 body: try network.replacing(graph: graph, classNames: labels(3), featureValue: network.featureValue))
        case "graph":
            return TransferModel(imageNetwork: try graphNetwork())
        case "graph-features-one-vs-all":
            let network = try graphNetwork()
            var generator = SplitMix64(seed: 11)
            guard case .node(let feature) = network.featureValue else { preconditionFailure("the graph's features are a node") }
            var builder = GraphBuilder(continuing: network.graph, keepingNodes: feature + 1)
            let flat = builder.node(Flatten(), [network.featureValue])
            let bias = Tensor(shape: [3], elements: (0..<3).map { _ in Float(generator.next() % 100) / 100 - 0.25 })
            let odds = builder.dense(flat, weights: Tensor(Matrix(rows: 3, columns: network.featureCount, initializer: .glorotUniform, using: &generator)),
                                     bias: bias, name: "log_odds")
            let probabilities = builder.node(Sigmoid(), [odds], name: "probabilities")
            return TransferModel(strategy: .fixedFeatures, labels: labels(3),
                                 body: try network.replacing(graph: try builder.graph(outputs: [probabilities]), classNames: labels(3),
                                                             featureValue: network.featureValue))
        case "text-features-logistic":
            var generator = SplitMix64(seed: 13)
            let words = ["good", "bad", "film", "plot"]
            let vectors = words.map { _ in (0..<6).map { _ in Float(generator.next() % 2000) / 1000 - 1 } }
            let featurizer = DocumentFeaturizer(embeddings: WordEmbeddings(words: words, vectors: vectors, dimensions: 6),
                                                settings: FeaturizerSettings(pooling: .meanAndMax))
            let head = LogisticRegression(weights: Matrix(rows: 3, columns: 12, initializer: .glorotUniform, using: &generator),
                                          bias: [0.1, -0.2, 0.3])
            return TransferModel(strategy: .fixedFeatures, labels: labels(3), body: PooledFeaturesModel(featurizer: featurizer, head: .logisticRegression(head)))
        default:
            preconditionFailure("no export fixture \(name)")
        }
    }

    private static func labels(_ count: Int) -> [String] {
        (0..<count).map { "class \($0)" }
    }

    /// Values in [low, low + 1) from `generator`.
    private static func values(_ count: Int, from low: Float, _ generator: inout SplitMix64) -> [Float] {
        (0..<count).map { _ in Float(generator.next() % 1000) / 1000 + low }
    }

    /// The small ConvNet on 3 × 12 × 12 images, with batch-norm parameters and statistics that are not 1 and 0.
    private static func convNet() throws -> ImageNetwork {
        let normalization = PixelNormalization(mean: [0.4, 0.5, 0.6], deviation: [0.2, 0.25, 0.3])
        let network = try ImageNetwork.smallConvNet(inputShape: MapShape(channels: 3, height: 12, width: 12), classNames: labels(4),
                                                    normalization: normalization, seed: 5)
        var graph = network.graph, generator = SplitMix64(seed: 6)
        for (index, parameter) in graph.parameters.enumerated() where parameter.name.contains(".bn.") {
            let low: Float = parameter.name.hasSuffix("running_var") || parameter.name.hasSuffix("weight") ? 0.5 : -0.5
            graph.setValue(Tensor(shape: parameter.value.shape, elements: values(parameter.value.count, from: low, &generator)), ofParameter: index)
        }
        return try network.replacing(graph: graph)
    }

    /// A graph with every operation the exporter translates: a strided convolution with
    /// asymmetric padding and ReLU6, batch normalisation, a depthwise convolution, constant
    /// padding, average pooling without the padding counted, a squeeze-and-excitation product, a
    /// residual sum, a concatenation, hard-swish, SiLU, GELU, sigmoid, a clamp, max pooling, layer
    /// normalisation, a reshape, a flatten and a dense classifier.
    private static func graphNetwork() throws -> ImageNetwork {
        var generator = SplitMix64(seed: 9)
        var builder = GraphBuilder(inputs: [Graph.Input(name: "image", shape: [nil, 3, 12, 12])])
        func convolution(_ input: Graph.Value, _ inputs: Int, _ outputs: Int, _ geometry: WindowGeometry, groups: Int = 1, name: String) -> Graph.Value {
            let filters = Tensor(Matrix(rows: outputs, columns: inputs / groups * geometry.taps, initializer: .heNormal, using: &generator))
                .reshaped([outputs, inputs / groups, geometry.kernelHeight, geometry.kernelWidth])
            let w = builder.parameter("\(name).weight", filters)
            let b = builder.parameter("\(name).bias", Tensor(shape: [outputs], elements: values(outputs, from: -0.5, &generator).map { $0 / 2 }))
            return builder.node(Convolution(geometry: geometry, groups: groups), [input, w, b], name: name)
        }
        let stem = WindowGeometry(kernelHeight: 3, kernelWidth: 3, strideY: 2, strideX: 2, padTop: 0, padBottom: 1, padLeft: 0, padRight: 1)
        var value = builder.node(Clip(lower: 0, upper: 6), [convolution(.input(0), 3, 8, stem, name: "stem")])           // 8×6×6
        let statistics = [("weight", 0.5), ("bias", -0.5), ("mean", -0.5), ("var", 0.5)].map { name, low in
            builder.parameter("bn.\(name)", Tensor(shape: [8], elements: values(8, from: Float(low), &generator)),
                              kind: name == "mean" || name == "var" ? .statistic : .weight)
        }
        value = builder.node(BatchNormalization(), [value] + statistics, name: "bn")
        value = builder.node(Relu(), [convolution(value, 8, 8, WindowGeometry(kernel: 3, padding: 1), groups: 8, name: "depthwise")])
        value = builder.node(Pad(pads: [0, 0, 1, 0, 0, 0, 0, 1], value: 0.5), [value])                                 // 8×7×7
        let pooled = builder.node(AveragePool(geometry: WindowGeometry(kernel: 3, stride: 1, padding: 1), countsPadding: false), [value])
        let squeezed = builder.node(GlobalAveragePool(), [pooled])                                                      // 8×1×1
        let excitation = builder.node(HardSigmoid(alpha: 1.0 / 6, beta: 0.5), [convolution(squeezed, 8, 8, WindowGeometry(kernel: 1), name: "se")])
        let scaled = builder.node(Mul(), [pooled, excitation])
        let residual = builder.node(Add(), [scaled, pooled])
        value = builder.node(Concat(axis: 1), [residual, pooled])                                                       // 16×7×7
        value = builder.node(HardSwish(), [value])
        value = builder.node(SiLU(), [value])
        value = builder.node(Gelu(), [value])
        value = builder.node(Sigmoid(), [value])
        value = builder.node(Clip(lower: 0.2, upper: 0.8), [value])
        value = builder.node(MaxPool(geometry: WindowGeometry(kernel: 2, stride: 2)), [value])                          // 16×3×3
        let features = builder.node(GlobalAveragePool(), [value], name: "features")                                     // 16×1×1
        value = builder.node(Reshape(shape: [0, 4, 4]), [features])
        let scale = builder.parameter("ln.weight", Tensor(shape: [4], elements: values(4, from: 0.5, &generator)))
        let shift = builder.parameter("ln.bias", Tensor(shape: [4], elements: values(4, from: -0.5, &generator)))
        value = builder.node(LayerNormalization(axis: -1), [value, scale, shift])
        value = builder.node(Flatten(), [value])
        value = builder.dense(value, inputs: 16, outputs: 5, initializer: .glorotUniform, name: "classifier", using: &generator)
        let preprocessing = ImagePreprocessing(shorterSide: 14, normalization: PixelNormalization(mean: [0.485, 0.456, 0.406],
                                                                                                 deviation: [0.229, 0.224, 0.225]))
        return try ImageNetwork(graph: try builder.graph(outputs: [value]), preprocessing: preprocessing, classNames: labels(5), featureValue: features)
    }
}
