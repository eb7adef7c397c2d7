import Classifiers
import EmbeddingStore
import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// A predicted label and its probability.
public struct Prediction: Sendable, Hashable, CustomStringConvertible {
    /// The label name (no `__label__` prefix).
    public let label: String
    /// Its probability.
    public let probability: Float

    /// A prediction.
    public init(label: String, probability: Float) {
        self.label = label
        self.probability = probability
    }

    /// `label probability`.
    public var description: String { "\(label) \(probability)" }
}

/// A text or image classifier built by transfer, by any of the four strategies.
public struct TransferModel: Sendable {
    /// The strategy it was built with.
    public let strategy: TransferStrategy
    /// The class names, by class index.
    public let labels: [String]
    /// The trained parts: for texts a `PooledFeaturesModel` (fixed features), a `TextBagModel`
    /// (fine-tune, combine) or a `FastTextSupervisedModel` (used as it is); for images, by any
    /// strategy, one `ImageNetwork` from the image to the classes.
    public let body: any TransferBody
    /// Why `auto` chose the strategy (nil when it was given).
    public let advice: StrategyAdvice?
    /// The mean share of training tokens that had a vector (1 for a pre-trained model).
    public let trainingCoverage: Double
    /// The number of documents trained on (nil for a model read from a file or used as it is).
    public internal(set) var trainingDocumentCount: Int?
    /// How an image model trained — schedule, optimizer, augmentation — as its file records it
    /// (nil for a text model or a network used as it is).
    public internal(set) var imageTraining: ImageTrainingSettings?

    /// A model from its parts (as training or loading does).
    public init(strategy: TransferStrategy, labels: [String], body: any TransferBody, advice: StrategyAdvice? = nil, trainingCoverage: Double = 1) {
        self.strategy = strategy
        self.labels = labels
        self.body = body
        self.advice = advice
        self.trainingCoverage = trainingCoverage
    }

    /// A supervised fastText model used as it is.
    public init(fastText model: FastTextSupervisedModel) {
        self.init(strategy: .usePretrained, labels: model.labels, body: model)
    }

    /// The `k` most probable labels of `text` with probability at least `threshold`, best first.
    public func predict(_ text: String, k: Int = 1, threshold: Float = 0) throws -> [Prediction] {
        try predict([text], k: k, threshold: threshold)[0]
    }

    /// Predictions for many texts at once.
    public func predict(_ texts: [String], k: Int = 1, threshold: Float = 0) throws -> [[Prediction]] {
        try predictionsAndCoverage(for: texts, k: k, threshold: threshold).predictions
    }

    /// Predictions for many texts and the mean share of their tokens that had a vector, from one
    /// featurizing pass.
    /// - Throws: `FeaturizerError` under the fail policy for unknown words.
    public func predictionsAndCoverage(for texts: [String], k: Int = 1, threshold: Float = 0) throws
        -> (predictions: [[Prediction]], coverage: Double) {
        try body.predictions(for: texts, labels: labels, k: k, threshold: threshold)
    }

    /// Class probabilities for each text (rows) and the mean share of tokens that had a vector.
    /// - Throws: `TransferError.wrongInputs` for an image model; `FeaturizerError` under the fail
    ///   policy for unknown words.
    public func probabilities(for texts: [String]) throws -> (matrix: Matrix, coverage: Double) {
        try body.probabilities(for: texts, labels: labels)
    }
}

/// Problems with the data a transfer model is trained or tested on.
public enum TransferError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A document has several labels and the strategy cannot train on that (the fixed-features MLP).
    case multiLabel(line: Int)
    /// A test document has a label the model was not trained on.
    case unknownLabel(String, line: Int)
    /// The strategy cannot be trained here (use-pretrained takes a model, it does not train).
    case notTrainable(TransferStrategy.Kind)
    /// No document was left to score.
    case emptyCorpus
    /// The strategy does not apply to this kind of input (e.g. from-scratch for text).
    case unsupported(TransferStrategy.Kind, inputs: String)
    /// Images given to a text model, or texts to an image model.
    case wrongInputs(expected: String)
    /// Images of another shape than the network takes.
    case imageShape(MapShape, expected: MapShape)
    /// The model cannot be written in another runtime's format (what it is).
    case notExportable(String)
    /// A corpus read once per epoch held other documents on a later pass.
    case corpusChanged(path: String)

    /// A readable reason.
    public var description: String {
        switch self {
        case .multiLabel(let line): "line \(line): several labels on one document; multi-label data trains one-vs-all with fine-tune, combine, or fixed features with --classifier logistic"
        case .unknownLabel(let label, let line): "line \(line): the label '\(label)' is not one the model was trained on"
        case .notTrainable(let kind): "the \(kind.rawValue) strategy does not train; give the pre-trained model to predict or test"
        case .emptyCorpus: "the corpus holds no documents to score"
        case .unsupported(let kind, let inputs): "the \(kind.rawValue) strategy does not train on \(inputs)"
        case .wrongInputs(let expected): "this model takes \(expected)"
        case .imageShape(let shape, let expected): "images of \(shape) (channels×height×width); the network takes \(expected)"
        case .notExportable(let what): "\(what) cannot be exported to ONNX"
        case .corpusChanged(let path): "\(path): the corpus changed while training read it"
        }
    }
}
