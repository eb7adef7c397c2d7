import Classifiers
import EmbeddingStore
import Foundation
import LinearAlgebra
import TextFeatures

/// A text classifier built by transfer: a featurizer over pre-trained embeddings plus a trained head.
public struct TransferModel: Sendable {
    /// A predicted label and its probability.
    public struct Prediction: Sendable, Hashable {
        /// The label name (no `__label__` prefix).
        public let label: String
        /// Its probability.
        public let probability: Float
    }

    /// The strategy it was built with.
    public let strategy: TransferStrategy
    /// The class names, by class index.
    public let labels: [String]
    /// Turns a document into features.
    public let featurizer: DocumentFeaturizer
    /// The trained head.
    public let head: TrainedClassifier

    /// Creates a model from its parts (as training or loading does).
    public init(strategy: TransferStrategy, labels: [String], featurizer: DocumentFeaturizer, head: TrainedClassifier) {
        self.strategy = strategy
        self.labels = labels
        self.featurizer = featurizer
        self.head = head
    }

    /// Trains a head with `strategy` on `corpus`, featurizing each document once.
    /// - Parameters:
    ///   - featurizer: fitted on the training texts here when its weighting needs it.
    ///   - validation: used for early stopping (and reported through `progress`).
    ///   - progress: step (L-BFGS iteration or MLP epoch), training loss and validation accuracy.
    /// When a document has several labels the head is one logistic regression per label
    /// (one-vs-all); predict those with a threshold.
    /// - Throws: `TrainingError` (divergence, one class only), `FeaturizerError`, or
    ///   `TransferError.multiLabel` for multi-label data with the MLP head.
    public static func train<G: RandomNumberGenerator>(
        strategy: TransferStrategy = .fixedFeatures, featurizer: DocumentFeaturizer, head: ClassifierHead,
        on corpus: LabeledCorpus, validation: LabeledCorpus? = nil, using generator: inout G,
        progress: TrainingProgress? = nil
    ) throws -> (model: TransferModel, coverage: Double) {
        let labels = corpus.labels
        let fitted = featurizer.fitted(on: corpus.documents.map(\.text))
        if let document = corpus.documents.first(where: { $0.labels.count != 1 }) {
            guard case .logisticRegression(let settings) = head else { throw TransferError.multiLabel(line: document.line) }
            let (features, labelSets, coverage) = try fitted.multiLabelFeatures(corpus, labels: labels)
            let model = try OneVersusAll.train(features: features, labelSets: labelSets, labelCount: labels.count, configuration: settings)
            return (TransferModel(strategy: strategy, labels: labels, featurizer: fitted, head: .oneVersusAll(model)), coverage)
        }
        let (training, coverage) = try fitted.trainingSet(corpus, labels: labels)
        let held = try validation.map { try fitted.trainingSet($0, labels: labels).set }
        let trained: TrainedClassifier
        switch head {
        case .logisticRegression(let settings):
            trained = .logisticRegression(try LogisticRegression.train(on: training, validation: held, configuration: settings,
                                                                       progress: progress))
        case .multilayerPerceptron(let settings):
            trained = .multilayerPerceptron(try MultilayerPerceptron.train(
                on: training, validation: held, configuration: settings, using: &generator, progress: progress))
        }
        return (TransferModel(strategy: strategy, labels: labels, featurizer: fitted, head: trained), coverage)
    }

    /// The `k` most probable labels of `text` with probability at least `threshold`, best first.
    public func predict(_ text: String, k: Int = 1, threshold: Float = 0) throws -> [Prediction] {
        try predict([text], k: k, threshold: threshold)[0]
    }

    /// Predictions for many texts at once (one matrix product per layer).
    public func predict(_ texts: [String], k: Int = 1, threshold: Float = 0) throws -> [[Prediction]] {
        try predictionsAndCoverage(for: texts, k: k, threshold: threshold).predictions
    }

    /// Predictions for many texts and the mean share of their tokens that had a vector, from one
    /// featurizing pass.
    public func predictionsAndCoverage(for texts: [String], k: Int = 1, threshold: Float = 0) throws
        -> (predictions: [[Prediction]], coverage: Double) {
        let (probabilities, coverage) = try probabilities(for: texts)
        let predictions = (0..<texts.count).map { row in
            probabilities.withRow(row) { scores in
                Kernels.topK(scores, k: k).filter { $0.score >= threshold }
                    .map { Prediction(label: labels[$0.index], probability: $0.score) }
            }
        }
        return (predictions, coverage)
    }

    /// Class probabilities for each text (rows) and the mean share of tokens that had a vector.
    public func probabilities(for texts: [String]) throws -> (matrix: Matrix, coverage: Double) {
        let (features, coverage) = try featurizer.featureMatrix(for: texts)
        return (head.classifier.probabilities(for: features), coverage)
    }
}

/// Problems with the data a transfer model is trained or tested on.
public enum TransferError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A document has several labels and the head is not logistic regression (one-vs-all needs it).
    case multiLabel(line: Int)
    /// A test document has a label the model was not trained on.
    case unknownLabel(String, line: Int)

    /// A readable reason.
    public var description: String {
        switch self {
        case .multiLabel(let line): "line \(line): several labels on one document; multi-label data trains one-vs-all logistic regressions, choose --classifier logistic"
        case .unknownLabel(let label, let line): "line \(line): the label '\(label)' is not one the model was trained on"
        }
    }
}

extension DocumentFeaturizer {
    /// The features of `corpus`, each document's label indices, and the mean token coverage.
    func multiLabelFeatures(_ corpus: LabeledCorpus, labels: [String]) throws -> (Matrix, [[Int]], Double) {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let (features, coverage) = try featureMatrix(for: corpus.documents.map(\.text))
        return (features, corpus.documents.map { $0.labels.compactMap { index[$0] } }, coverage)
    }

    /// The features and class indices of `corpus` (each document's first label), and the mean
    /// token coverage.
    /// - Throws: `TransferError.unknownLabel` for a label outside `labels`, `FeaturizerError`.
    public func trainingSet(_ corpus: LabeledCorpus, labels: [String]) throws -> (set: TrainingSet, coverage: Double) {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let classes = try corpus.documents.map { document in
            guard let label = document.labels.first, let classIndex = index[label] else {
                throw TransferError.unknownLabel(document.labels.first ?? "", line: document.line)
            }
            return classIndex
        }
        let (features, coverage) = try featureMatrix(for: corpus.documents.map(\.text))
        return (try TrainingSet(features: features, labels: classes, classCount: labels.count), coverage)
    }
}
