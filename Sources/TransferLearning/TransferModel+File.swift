import Classifiers
import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// A model file that cannot be read, written or used, with the reason.
public struct ModelFileError: LocatedError, Hashable {
    /// The model file.
    public let path: String
    /// What is wrong.
    public let message: String

    /// An error about the model file at `path`.
    public init(path: String, message: String) {
        self.path = path
        self.message = message
    }

    /// nil: the message names the section (header, a tensor) itself.
    public var place: String? { nil }

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

extension TransferModel {
    /// How a saved model finds its pre-trained vectors.
    public enum EmbeddingStorage: Sendable, Hashable {
        /// Record the embedding file (absolute path, path relative to the model, fingerprint) and
        /// only what training changed; loading reopens the file and refuses a missing or changed one.
        case reference
        /// Store every vector the model uses, so it works without the embedding file.
        case selfContained
    }

    /// The container metadata key of the model description, and the format version this build writes.
    static let descriptionKey = "embkit.model"
    static let formatName = "embkit-model", formatVersion = 3
    /// The oldest format version this build reads (version 2 differs only in its image models, which it cannot read).
    static let oldestReadableVersion = 2

    /// Writes the model to `path` atomically as a checksummed tensor container.
    /// - Parameters:
    ///   - path: the output file.
    ///   - storage: a reference to the embedding file, or every row the model needs.
    ///   - precision: the element type of image network weights (float16 halves the file).
    /// - Throws: `ModelFileError` when it cannot be written; `.usePretrained` models are files already.
    public func write(to path: String, embeddings storage: EmbeddingStorage = .reference, precision: TensorPrecision = .float32) throws {
        var file = ModelFileContents(path: path, description: ModelDescription(
            format: Self.formatName, version: Self.formatVersion, strategy: strategy, labels: labels, advice: advice, trainingCoverage: trainingCoverage))
        try body.record(into: &file, storage: storage, precision: precision)
        file.description.imageTraining = imageTraining
        if storage == .reference, file.description.image == nil, file.description.sentenceEncoder == nil {
            guard let embeddings = file.embeddings else {
                throw ModelFileError(path: path, message: "the model was read self-contained and knows no embedding file; write it self-contained")
            }
            file.description.embeddings = try EmbeddingReference(embeddings: embeddings, modelPath: path)
        }
        let (description, tensors) = (file.description, file.tensors)
        let json = String(decoding: try JSONEncoder.sorted.encode(description), as: UTF8.self)
        do {
            try TensorContainer(metadata: [Self.descriptionKey: json], tensors: tensors).write(to: path)
        } catch let error as EmbeddingFileError {
            throw ModelFileError(path: path, message: error.message)
        }
    }

    /// Reads a model written by `write(to:embeddings:)`, or a supervised fastText `.bin`/`.ftz`
    /// (used as it is).
    /// - Parameters:
    ///   - path: the model file.
    ///   - embeddingsPath: use this embedding file (or sentence-encoder folder) instead of the
    ///     recorded one (its fingerprint must still match).
    /// - Throws: `ModelFileError` for a missing, foreign, newer or damaged file (naming the damaged
    ///   section), or embeddings that are missing or differ from the ones the model was trained
    ///   with; `EmbeddingFileError` for a damaged fastText model.
    public init(contentsOf path: String, embeddingsPath: String? = nil) throws {
        if FastTextSupervisedModel.hasMagic(atPath: path) {
            self.init(fastText: try FastTextSupervisedModel(contentsOf: path))
            return
        }
        try self.init(container: try TensorContainer(contentsOf: path), path: path, embeddingsPath: embeddingsPath)
    }

    /// The model in a container read from `path`.
    init(container: TensorContainer, path: String, embeddingsPath: String? = nil) throws {
        let description = try Self.description(in: container, path: path)
        guard description.labels.count >= 2, Set(description.labels).count == description.labels.count else {
            throw ModelFileError(path: path, message: "header: \(description.labels.count) labels, or repeated labels")
        }
        let body: any TransferBody
        if let image = description.image {
            let network = try image.network(tensors: container.tensors, path: path)
            guard network.classNames == description.labels else {
                throw ModelFileError(path: path, message: "header: the network's classes are not the model's labels")
            }
            self.init(strategy: description.strategy, labels: description.labels, body: network, advice: description.advice)
            imageTraining = description.imageTraining
            return
        }
        if let encoder = description.sentenceEncoder {
            let classifier = try encoder.body(tensors: container.tensors, modelPath: path, override: embeddingsPath)
            self.init(strategy: description.strategy, labels: description.labels, body: classifier, advice: description.advice,
                      trainingCoverage: description.trainingCoverage)
            return
        }
        if description.olderImageModel {
            throw ModelFileError(path: path, message: "an image model written by an earlier EmbeddingKit (format version \(description.version)); "
                                 + "train it again or import the ONNX file again")
        }
        let embeddings = try description.openEmbeddings(container: container, modelPath: path, override: embeddingsPath)
        if let pooled = description.pooledFeatures {
            body = try pooled.body(embeddings: embeddings, labelCount: description.labels.count, modelPath: path)
        } else if let bag = description.embeddingBag {
            body = try TextBagModel(bag, tensors: container.tensors, embeddings: embeddings, labelCount: description.labels.count, modelPath: path)
        } else {
            throw ModelFileError(path: path, message: "header: the model description has no body")
        }
        self.init(strategy: description.strategy, labels: description.labels, body: body, advice: description.advice,
                  trainingCoverage: description.trainingCoverage)
    }

    /// The model description in `container`'s header, of a format version this build reads.
    /// - Throws: `ModelFileError` for a header without one, one that does not decode, or another version.
    static func description(in container: TensorContainer, path: String) throws -> ModelDescription {
        guard let json = container.metadata[descriptionKey] else {
            throw ModelFileError(path: path, message: "not an EmbeddingKit model (no model description in the header)")
        }
        let description: ModelDescription
        do {
            description = try JSONDecoder().decode(ModelDescription.self, from: Data(json.utf8))
        } catch {
            throw ModelFileError(path: path, message: "header: the model description does not decode: \(error)")
        }
        guard description.format == formatName, (oldestReadableVersion...formatVersion).contains(description.version) else {
            throw ModelFileError(path: path, message: "model format \(description.format) version \(description.version); "
                                 + "this build reads \(formatName) versions \(oldestReadableVersion) to \(formatVersion)")
        }
        return description
    }
}
