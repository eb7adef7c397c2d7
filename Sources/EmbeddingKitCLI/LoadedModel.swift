import EmbeddingStore
import Foundation
import TransferLearning

/// A model `predict` and `test` can use: an EmbeddingKit model file, or a supervised fastText
/// `.bin`/`.ftz` used as it is (the use-pretrained strategy).
enum LoadedModel {
    case transfer(TransferModel)
    case fastText(FastTextClassifier)

    /// Opens `path`, telling the two kinds apart by the fastText magic number; errors are printed
    /// and end the command with exit code 1.
    static func open(_ path: String, embeddings: String?) throws -> LoadedModel {
        let magic = FileHandle(forReadingAtPath: path).flatMap { try? $0.read(upToCount: 4) }
        if let magic, magic.count == 4, magic.withUnsafeBytes({ $0.loadUnaligned(as: Int32.self) }) == 793_712_314 {
            return .fastText(try reportingFileErrors { try FastTextClassifier(contentsOf: path) })
        }
        return .transfer(try reportingTrainingErrors { try TransferModel(contentsOf: path, embeddingsPath: embeddings) })
    }

    /// The label names, by class index.
    var labels: [String] {
        switch self {
        case .transfer(let model): model.labels
        case .fastText(let model): model.labels
        }
    }

    /// The `k` best labels (with probability at least `threshold`) of each text, best first, and
    /// the mean token coverage (1 for fastText models, which have a vector for every word).
    func predict(_ texts: [String], k: Int, threshold: Float) throws -> (labels: [[(label: String, probability: Float)]], coverage: Double) {
        switch self {
        case .transfer(let model):
            let (predictions, coverage) = try reportingTrainingErrors {
                try model.predictionsAndCoverage(for: texts, k: k, threshold: threshold)
            }
            return (predictions.map { $0.map { ($0.label, $0.probability) } }, coverage)
        case .fastText(let model):
            return (texts.map { model.predict($0, k: k, threshold: threshold).map { ($0.label, $0.probability) } }, 1)
        }
    }
}
