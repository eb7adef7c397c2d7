import Foundation
import ImageFeatures
import NeuralNetworks

/// What an EmbeddingKit model file holds, read from its header without opening the embeddings
/// it references (what `embkit info` prints).
public struct ModelFileSummary: Sendable {
    /// The strategy it was trained by, with its settings.
    public let strategy: TransferStrategy
    /// The class names.
    public let labels: [String]
    /// Why `auto` chose the strategy (nil when it was given).
    public let advice: StrategyAdvice?
    /// The mean share of training tokens that had a vector.
    public let trainingCoverage: Double
    /// `texts` or `images`.
    public let inputs: String
    /// The network or classifier, in words.
    public let architecture: String
    /// The embedding file the model reads and its fingerprint (nil: self-contained or an image model).
    public let embeddingFile: (path: String, fingerprint: String)?
    /// The sentence-encoder folder the model reads and the fingerprints of its files, as
    /// `name=fingerprint` (nil: not a sentence-encoder model).
    public let encoderFolder: (path: String, fingerprints: [String])?
    /// How an image model trained (nil for text models and networks used as they are).
    public let imageTraining: ImageTrainingSettings?
    /// The number of tensors and their bytes.
    public let tensorCount: Int, tensorBytes: Int

    /// Reads the summary of the model at `path`; every tensor's checksum is verified.
    /// - Throws: `ModelFileError` for a missing, foreign, newer or damaged file.
    public init(contentsOf path: String) throws {
        let container = try TensorContainer(contentsOf: path)
        let description = try TransferModel.description(in: container, path: path)
        strategy = description.strategy
        labels = description.labels
        advice = description.advice
        trainingCoverage = description.trainingCoverage
        imageTraining = description.imageTraining
        embeddingFile = description.embeddings.map { ($0.absolutePath, $0.fingerprint) }
        encoderFolder = description.sentenceEncoder.map { ($0.encoder.absolutePath, $0.encoder.fingerprints.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }) }
        tensorCount = container.tensors.count
        tensorBytes = container.tensors.values.reduce(0) { $0 + $1.bytes.count }
        let classes = "\(description.labels.count) classes"
        if let bag = description.embeddingBag {
            inputs = "texts"
            let head = description.strategy.hiddenLayers.map { "ReLU layers \($0) → " } ?? ""
            architecture = "embedding bag (\(bag.words.count) words, \(bag.pretrainedCount) pre-trained"
                + (bag.trainable == .headOnly ? " and frozen" : "") + ", \(bag.buckets) n-gram buckets, "
                + "\(description.dimensions) dimensions, \(bag.pooling.rawValue) pooling) → \(head)\(classes), "
                + ((bag.loss ?? .softmax) == .softmax ? "softmax" : "one sigmoid per class")
        } else if let pooled = description.pooledFeatures {
            inputs = "texts"
            architecture = "\(pooled.settings.pooling.rawValue)-pooled \(description.dimensions)-dimension vectors → \(pooled.head.name), \(classes)"
        } else if let encoder = description.sentenceEncoder {
            inputs = "texts"
            let layers = Set(encoder.graph.nodes.compactMap { $0.name.hasPrefix("encoder.layer.") ? $0.name.split(separator: ".")[2] : nil }).count
            architecture = "sentence encoder \(encoder.encoder.absolutePath) (\(layers) transformer layers, "
                + "\(encoder.trainedParameters.count) parameters trained here) → \(classes)"
        } else if let image = description.image {
            inputs = "images"
            let operations = Dictionary(grouping: image.graph.nodes, by: \.operation).mapValues(\.count)
            let input = image.graph.inputs.first.map { $0.shape.dropFirst().map { $0.map(String.init) ?? "?" }.joined(separator: "×") } ?? "?"
            architecture = "graph of \(image.graph.nodes.count) nodes on \(input) images ("
                + operations.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.prefix(6)
                    .map { "\($0.value) \($0.key)" }.joined(separator: ", ") + "), \(classes)"
        } else {
            inputs = description.olderImageModel ? "images" : "texts"
            architecture = description.olderImageModel ? "an image model of an earlier format (not readable by this build)" : "unknown"
        }
    }
}

private extension TransferStrategy {
    /// The hidden layers of a bag strategy's head (nil: linear, or not a bag strategy).
    var hiddenLayers: [Int]? {
        switch self {
        case .fineTune(let settings): settings.hiddenLayers.isEmpty ? nil : settings.hiddenLayers
        case .combine(let settings): settings.hiddenLayers.isEmpty ? nil : settings.hiddenLayers
        case .usePretrained, .fixedFeatures, .fromScratch: nil
        }
    }
}

extension TrainedClassifier {
    /// The classifier in words.
    var name: String {
        switch self {
        case .logisticRegression: "logistic regression"
        case .multilayerPerceptron(let model): "MLP " + model.layers.dropLast().map { "\($0.weights.rows)" }.joined(separator: ", ")
        case .oneVersusAll(let model): "\(model.models.count) one-vs-all logistic regressions"
        }
    }
}
