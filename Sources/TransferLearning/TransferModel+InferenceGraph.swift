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
    public let network: Graph
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
        case .image(let network):
            let shape = network.inputShape
            var builder = GraphBuilder(inputs: [Graph.Input(name: "pixels", shape: [nil, shape.channels, shape.height, shape.width])])
            // Pixels 0…255 → the network's inputs: pixel / (255 · deviation) − mean / deviation per channel.
            let normalization = network.preprocessing.normalization
            let scale = builder.parameter("normalize.scale", Tensor(shape: [shape.channels, 1, 1], elements: normalization.deviation.map { 1 / (255 * $0) }),
                                          kind: .constant)
            let shift = builder.parameter("normalize.shift", Tensor(shape: [shape.channels, 1, 1],
                                                                    elements: zip(normalization.mean, normalization.deviation).map { -$0 / $1 }), kind: .constant)
            let scaled = builder.node(Mul(), [.input(0), scale], name: "normalize.scale")
            let normalized = builder.node(Add(), [scaled, shift], name: "normalize.shift")
            var output = builder.append(network.graph, inputs: [normalized])[0]
            if !network.outputsProbabilities { output = builder.node(Softmax(axis: -1), [output], name: "probabilities") }
            return InferenceGraph(network: try builder.graph(outputs: [output]), input: .pixels(shorterSide: network.preprocessing.shorterSide),
                                  labels: labels)
        case .pooledFeatures(let featurizer, let head):
            let settings = featurizer.settings
            let pooling = "\(settings.pooling.rawValue) of word vectors, weighting \(settings.weighting.rawValue)"
                + (settings.normalize ? ", scaled to unit length" : "")
            var builder = Self.textBuilder(width: head.classifier.featureCount)
            let output = head.appendNodes(to: &builder, reading: .input(0))
            return InferenceGraph(network: try builder.graph(outputs: [output]), input: .textFeatures(pooling: pooling), labels: labels)
        case .embeddingBag(let model):
            return InferenceGraph(network: try model.headGraph(), input: .textFeatures(pooling: "\(model.pooling.rawValue) of the embedding bag's rows"),
                                  labels: labels)
        case .fastText:
            throw TransferError.notExportable("a fastText model (fastText reads its .bin/.ftz file as it is)")
        }
    }

    /// A builder of a text head reading one pooled vector of `width` values per text.
    static func textBuilder(width: Int) -> GraphBuilder {
        GraphBuilder(inputs: [Graph.Input(name: "features", shape: [nil, width])])
    }
}
