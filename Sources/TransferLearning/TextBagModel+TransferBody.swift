import LinearAlgebra

extension TextBagModel: TransferBody {
    /// `texts`.
    public var inputs: String { "texts" }

    public func probabilities(for texts: [String], labels: [String]) throws -> (matrix: Matrix, coverage: Double) {
        probabilities(for: texts)
    }

    /// The head over the pooled vector (tokenizing and the bag's lookups stay outside the graph).
    public func inferenceGraph(labels: [String]) throws -> InferenceGraph {
        InferenceGraph(network: try headGraph(), input: .textFeatures(pooling: "\(pooling.rawValue) of the embedding bag's rows"), labels: labels)
    }

    public func record(into file: inout ModelFileContents, storage: TransferModel.EmbeddingStorage, precision: TensorPrecision) throws {
        file.embeddings = sourceEmbeddings
        file.description.dimensions = dimensions
        file.description.embeddingBag = description
        file.tensors.merge(tensors(selfContained: storage == .selfContained)) { $1 }
    }
}
