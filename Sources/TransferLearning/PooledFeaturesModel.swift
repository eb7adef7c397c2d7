import Classifiers
import EmbeddingStore
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// Fixed features for texts: a featurizer over frozen embeddings and the classifier trained on
/// its output.
public struct PooledFeaturesModel: TransferBody {
    /// Pools each text's word vectors into one feature vector.
    public let featurizer: DocumentFeaturizer
    /// The classifier of the pooled features.
    public let head: TrainedClassifier

    /// A model from its featurizer and trained classifier.
    public init(featurizer: DocumentFeaturizer, head: TrainedClassifier) {
        self.featurizer = featurizer
        self.head = head
    }

    /// `texts`.
    public var inputs: String { "texts" }

    public func probabilities(for texts: [String], labels: [String]) throws -> (matrix: Matrix, coverage: Double) {
        let (features, coverage) = try featurizer.featureMatrix(for: texts)
        return (head.classifier.probabilities(for: features), coverage)
    }

    /// The classifier over the pooled vector (tokenizing and pooling stay outside the graph).
    public func inferenceGraph(labels: [String]) throws -> InferenceGraph {
        let settings = featurizer.settings
        let pooling = "\(settings.pooling.rawValue) of word vectors, weighting \(settings.weighting.rawValue)"
            + (settings.normalize ? ", scaled to unit length" : "")
        var builder = GraphBuilder(inputs: [Graph.Input(name: "features", shape: [nil, head.classifier.featureCount])])
        let output = head.appendNodes(to: &builder, reading: .input(0))
        return InferenceGraph(network: try builder.graph(outputs: [output]), input: .textFeatures(pooling: pooling), labels: labels)
    }

    public func record(into file: inout ModelFileContents, storage: TransferModel.EmbeddingStorage, precision: TensorPrecision) throws {
        file.embeddings = featurizer.embeddings
        file.description.dimensions = featurizer.embeddings.dimensions
        file.description.pooledFeatures = .init(tokenizer: featurizer.tokenizer.configuration, settings: featurizer.settings,
                                                wordWeights: featurizer.wordWeights, defaultWeight: featurizer.defaultWeight, head: head)
        if storage == .selfContained { file.tensors.merge(embeddedTensors()) { $1 } }
    }

    /// Every word and vector of the featurizer's embeddings, as tensors: the vectors, the words'
    /// UTF-8 bytes back to back and where each word ends.
    private func embeddedTensors() -> [String: TensorContainer.Tensor] {
        let embeddings = featurizer.embeddings
        var vectors = [Float](), words = [UInt8](), ends: [Int32] = []
        vectors.reserveCapacity(embeddings.count * embeddings.dimensions)
        for index in 0..<embeddings.count {
            vectors += embeddings.vector(at: index)
            words += embeddings.vocabulary.wordBytes(at: index)
            ends.append(Int32(words.count))
        }
        return [EmbeddedVectors.vectorsName: .init(floats: vectors, shape: [embeddings.count, embeddings.dimensions]),
                EmbeddedVectors.wordBytesName: .init(bytes: words), EmbeddedVectors.wordEndsName: .init(integers: ends)]
    }
}
