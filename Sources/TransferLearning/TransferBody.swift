import EmbeddingStore
import LinearAlgebra

/// The trained parts of a transfer model: what predicts, what its model file holds and what it
/// exports. Each kind of model is one conforming type — `PooledFeaturesModel` (fixed text
/// features), `TextBagModel` (an embedding bag), `FastTextSupervisedModel` (used as it is),
/// `ImageNetwork` — so a new kind of model is a new type, and `TransferModel` never switches
/// over the kinds.
public protocol TransferBody: Sendable {
    /// What the body reads, as errors name it: `texts` or `images`.
    var inputs: String { get }

    /// Class probabilities for each text (rows, columns in `labels` order) and the mean share of
    /// tokens that had a vector.
    /// - Throws: `TransferError.wrongInputs` for a body that does not read texts;
    ///   `FeaturizerError` under the fail policy for unknown words.
    func probabilities(for texts: [String], labels: [String]) throws -> (matrix: Matrix, coverage: Double)

    /// The `k` most probable labels of each text with probability at least `threshold`, best
    /// first, and the token coverage (by default from `probabilities(for:labels:)`).
    func predictions(for texts: [String], labels: [String], k: Int, threshold: Float) throws
        -> (predictions: [[Prediction]], coverage: Double)

    /// The body as one network from its input to class probabilities (`labels` by output index).
    /// - Throws: `TransferError.notExportable` for a body other runtimes cannot take as a graph.
    func inferenceGraph(labels: [String]) throws -> InferenceGraph

    /// Adds the body's description and tensors to a model file being written.
    /// - Throws: `ModelFileError` for a body that has no EmbeddingKit model file.
    func record(into file: inout ModelFileContents, storage: TransferModel.EmbeddingStorage, precision: TensorPrecision) throws
}

extension TransferBody {
    public func probabilities(for texts: [String], labels: [String]) throws -> (matrix: Matrix, coverage: Double) {
        throw TransferError.wrongInputs(expected: inputs)
    }

    public func predictions(for texts: [String], labels: [String], k: Int, threshold: Float) throws
        -> (predictions: [[Prediction]], coverage: Double) {
        let (probabilities, coverage) = try probabilities(for: texts, labels: labels)
        let predictions = (0..<texts.count).map { row in
            probabilities.withRow(row) { scores in
                Kernels.topK(scores, k: k).filter { $0.score >= threshold }
                    .map { Prediction(label: labels[$0.index], probability: $0.score) }
            }
        }
        return (predictions, coverage)
    }
}

/// What a model file being written holds so far: the description of its header, its tensors and
/// the embedding file it reads (recorded by reference unless written self-contained).
public struct ModelFileContents {
    /// The file being written (for errors).
    let path: String
    var description: ModelDescription
    var tensors: [String: TensorContainer.Tensor] = [:]
    /// The pre-trained vectors the body reads (nil: none, or the body stores its own).
    var embeddings: WordEmbeddings?
}
