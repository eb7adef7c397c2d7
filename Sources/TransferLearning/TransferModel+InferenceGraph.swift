import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

/// A trained model as one graph network from its input to class probabilities — the form other
/// runtimes take (`ONNXExport` writes it as ONNX).
public struct InferenceGraph: Sendable {
    /// What the network reads.
    public enum Input: Sendable, Hashable {
        /// Images as pixel values 0…255 (channels × height × width, RGB order), already resized
        /// (shorter side to `shorterSide` when given) and centre-cropped to the input size; the
        /// model's normalisation is the graph's first node.
        case pixels(shorterSide: Int?)
        /// One pooled feature vector per text, as the model's featurizer or embedding bag computes
        /// it (the graph is the text model's head).
        case textFeatures(pooling: String)
    }

    /// Input to probabilities (the last node is a softmax, or a sigmoid for multi-label heads).
    public let network: GraphNetwork
    /// What `network` reads.
    public let input: Input
    /// The class names, by output index.
    public let labels: [String]
}

extension TransferModel {
    /// The model as one network from its input to class probabilities: for images the whole
    /// model with its pixel normalisation; for text models the head over the pooled vector
    /// (tokenizing and looking up vectors stay outside the graph).
    /// - Throws: `TransferError.notExportable` for a fastText model.
    public func inferenceGraph() throws -> InferenceGraph {
        switch body {
        case .convNet(let backbone):
            let nodes = Self.normalizationNode(backbone.normalization) + Self.chain(backbone.network.layers, after: 1)
            return try imageGraph(nodes + [Self.softmax(nodes.count)], inputShape: backbone.inputShape, shorterSide: nil)
        case .imageFeatures(let backbone, let head):
            let base = Self.normalizationNode(backbone.normalization) + Self.chain(Array(backbone.network.layers[..<backbone.featureLayer]), after: 1)
            return try imageGraph(base + Self.headNodes(head, after: base.count), inputShape: backbone.inputShape, shorterSide: nil)
        case .graphNet(let backbone):
            var nodes = Self.normalizationNode(backbone.preprocessing.normalization) + Self.shifted(backbone.network, upTo: backbone.network.output)
            if !backbone.outputsProbabilities { nodes.append(Self.softmax(nodes.count)) }
            return try imageGraph(nodes, inputShape: backbone.inputShape, shorterSide: backbone.preprocessing.shorterSide)
        case .graphFeatures(let backbone, let head):
            let base = Self.normalizationNode(backbone.preprocessing.normalization) + Self.shifted(backbone.network, upTo: backbone.featureValue)
            return try imageGraph(base + Self.headNodes(head, after: base.count), inputShape: backbone.inputShape,
                                  shorterSide: backbone.preprocessing.shorterSide)
        case .pooledFeatures(let featurizer, let head):
            let width = head.classifier.featureCount
            let settings = featurizer.settings
            let pooling = "\(settings.pooling.rawValue) of word vectors, weighting \(settings.weighting.rawValue)"
                + (settings.normalize ? ", scaled to unit length" : "")
            return try textGraph(Self.headNodes(head, after: 0), width: width, pooling: pooling)
        case .embeddingBag(let model):
            let layers = model.network.layers
            let nodes = layers.enumerated().map { index, layer in
                GraphNetwork.Node(.layer(.dense(layer)), inputs: [index], clamp: index < layers.count - 1 ? 0...Float.infinity : nil,
                                  name: "dense\(index + 1)")
            }
            return try textGraph(nodes + [Self.softmax(nodes.count)], width: model.network.bag.outputWidth,
                                 pooling: "\(model.network.bag.pooling.rawValue) of the embedding bag's rows")
        case .fastText:
            throw TransferError.notExportable("a fastText model (fastText reads its .bin/.ftz file as it is)")
        }
    }

    private func imageGraph(_ nodes: [GraphNetwork.Node], inputShape: MapShape, shorterSide: Int?) throws -> InferenceGraph {
        InferenceGraph(network: try GraphNetwork(nodes: nodes, inputShape: inputShape), input: .pixels(shorterSide: shorterSide), labels: labels)
    }

    private func textGraph(_ nodes: [GraphNetwork.Node], width: Int, pooling: String) throws -> InferenceGraph {
        InferenceGraph(network: try GraphNetwork(nodes: nodes, inputShape: MapShape(features: width)),
                       input: .textFeatures(pooling: pooling), labels: labels)
    }

    /// Pixels 0…255 → the network's inputs: `pixel / (255 · deviation) − mean / deviation` per channel.
    private static func normalizationNode(_ normalization: PixelNormalization) -> [GraphNetwork.Node] {
        let scale = normalization.deviation.map { 1 / (255 * $0) }
        let shift = zip(normalization.mean, normalization.deviation).map { -$0 / $1 }
        return [GraphNetwork.Node(.scaleShift(scale: scale, shift: shift), inputs: [0], name: "normalize")]
    }

    /// `layers` one after another, reading value `after` first (dropout left out: inference).
    private static func chain(_ layers: [NetworkLayer], after value: Int) -> [GraphNetwork.Node] {
        var nodes: [GraphNetwork.Node] = []
        for layer in layers {
            if case .dropout = layer { continue }
            nodes.append(GraphNetwork.Node(.layer(layer), inputs: [value + nodes.count], name: layer.summary))
        }
        return nodes
    }

    /// The nodes of `network` that compute values 1…`value`, reading the normalised input (value 1) instead of value 0.
    private static func shifted(_ network: GraphNetwork, upTo value: Int) -> [GraphNetwork.Node] {
        network.nodes[..<value].map { node in
            var node = node
            node.inputs = node.inputs.map { $0 + 1 }
            return node
        }
    }

    private static func softmax(_ value: Int) -> GraphNetwork.Node {
        GraphNetwork.Node(.softmax, inputs: [value], name: "probabilities")
    }

    /// A classifier as nodes reading value `value`: dense layers (ReLU between) and a softmax, or
    /// for one-versus-all heads one dense layer of per-label log-odds and a sigmoid.
    private static func headNodes(_ head: TrainedClassifier, after value: Int) -> [GraphNetwork.Node] {
        switch head {
        case .logisticRegression(let model):
            return [GraphNetwork.Node(.layer(.dense(DenseLayer(weights: model.weights, bias: model.bias))), inputs: [value], name: "classifier"),
                    softmax(value + 1)]
        case .multilayerPerceptron(let model):
            let layers = model.layers
            let dense = layers.enumerated().map { index, layer in
                GraphNetwork.Node(.layer(.dense(layer)), inputs: [value + index], clamp: index < layers.count - 1 ? 0...Float.infinity : nil,
                                  name: "dense\(index + 1)")
            }
            return dense + [softmax(value + dense.count)]
        case .oneVersusAll(let model):
            // P(label) = softmax(z₀, z₁)₁ = sigmoid(z₁ − z₀): one row of weight differences per label.
            let width = model.featureCount
            var weights = Matrix(rows: model.classCount, columns: width)
            var bias = [Float](repeating: 0, count: model.classCount)
            for (label, binary) in model.models.enumerated() {
                for column in 0..<width { weights[label, column] = binary.weights[1, column] - binary.weights[0, column] }
                bias[label] = binary.bias[1] - binary.bias[0]
            }
            return [GraphNetwork.Node(.layer(.dense(DenseLayer(weights: weights, bias: bias))), inputs: [value], name: "log-odds"),
                    GraphNetwork.Node(.sigmoid, inputs: [value + 1], name: "probabilities")]
        }
    }
}
