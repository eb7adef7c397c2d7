import Classifiers
import EmbeddingStore
import Foundation
import TextFeatures

/// A model file that cannot be read or used, with the reason.
public struct ModelFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The model file.
    public let path: String
    /// What is wrong.
    public let message: String

    /// `path: message`.
    public var description: String { "\(path): \(message)" }
}

extension TransferModel {
    /// How a saved model finds its word vectors.
    public enum EmbeddingStorage: Sendable {
        /// Record the path and fingerprint of the embedding file; loading reopens it and refuses a
        /// missing or changed file.
        case reference
        /// Store the vectors of these words (typically the training vocabulary) in the model, so it
        /// works without the embedding file.
        case embedded(vocabulary: [String])
    }

    /// The file's magic bytes and the version this build writes.
    static let magic = Array("EMBKITMD".utf8)
    static let fileVersion: UInt32 = 1

    /// Writes the model to `path` atomically: magic, version, then JSON with the labels, tokenizer
    /// and featurizer settings, the classifier weights and the embeddings (see `EmbeddingStorage`).
    public func write(to path: String, embeddings storage: EmbeddingStorage = .reference) throws {
        let embeddings = featurizer.embeddings
        var file = ModelFile(strategy: strategy, labels: labels, tokenizer: featurizer.tokenizer.configuration,
                             featurizer: featurizer.settings, wordWeights: featurizer.wordWeights,
                             defaultWeight: featurizer.defaultWeight, head: head, dimensions: embeddings.dimensions)
        switch storage {
        case .reference:
            let source = embeddings.metadata.sourcePath
            file.embeddingsPath = source
            file.embeddingsFingerprint = WordEmbeddings.fingerprint(ofFileAt: source)
        case .embedded(let vocabulary):
            let known = Array(Set(vocabulary.filter(embeddings.contains))).sorted()
            file.embeddedWords = known
            file.embeddedVectors = known.map { embeddings.vector(for: $0)! }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = Data(Self.magic)
        withUnsafeBytes(of: Self.fileVersion.littleEndian) { data.append(contentsOf: $0) }
        data.append(try encoder.encode(file))
        do {
            try data.write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ModelFileError(path: path, message: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Reads a model written by `write(to:embeddings:)`.
    /// - Parameters:
    ///   - embeddingsPath: use this embedding file instead of the recorded one (its fingerprint must
    ///     still match).
    /// - Throws: `ModelFileError` for a missing, foreign, newer or damaged file, or embeddings that
    ///   are missing or differ from the ones the model was trained with.
    public init(contentsOf path: String, embeddingsPath: String? = nil) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelFileError(path: path, message: "cannot open the model file")
        }
        guard data.count >= 12, Array(data.prefix(8)) == Self.magic else {
            throw ModelFileError(path: path, message: "not an EmbeddingKit model (bad magic); fastText models are not supported yet")
        }
        let version = data[8..<12].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian }
        guard version == Self.fileVersion else {
            throw ModelFileError(path: path, message: "model format version \(version); this build reads version \(Self.fileVersion)")
        }
        let file: ModelFile
        do {
            file = try JSONDecoder().decode(ModelFile.self, from: data[12...])
        } catch {
            throw ModelFileError(path: path, message: "damaged model file: \(error)")
        }
        let embeddings = try file.openEmbeddings(modelPath: path, override: embeddingsPath)
        let featurizer = DocumentFeaturizer(embeddings: embeddings, tokenizer: file.tokenizer.makeTokenizer(),
                                            settings: file.featurizer, wordWeights: file.wordWeights,
                                            defaultWeight: file.defaultWeight)
        guard featurizer.featureCount == file.head.classifier.featureCount, file.labels.count == file.head.classifier.classCount else {
            throw ModelFileError(path: path, message: "the classifier's shape does not match its labels and features")
        }
        self.init(strategy: file.strategy, labels: file.labels, featurizer: featurizer, head: file.head)
    }
}

/// The JSON body of a model file.
struct ModelFile: Codable {
    var strategy: TransferStrategy
    var labels: [String]
    var tokenizer: TokenizerConfiguration
    var featurizer: FeaturizerSettings
    var wordWeights: [String: Float]
    var defaultWeight: Float
    var head: TrainedClassifier
    var dimensions: Int
    var embeddingsPath: String?
    var embeddingsFingerprint: String?
    var embeddedWords: [String]?
    var embeddedVectors: [[Float]]?

    init(strategy: TransferStrategy, labels: [String], tokenizer: TokenizerConfiguration, featurizer: FeaturizerSettings,
         wordWeights: [String: Float], defaultWeight: Float, head: TrainedClassifier, dimensions: Int) {
        self.strategy = strategy
        self.labels = labels
        self.tokenizer = tokenizer
        self.featurizer = featurizer
        self.wordWeights = wordWeights
        self.defaultWeight = defaultWeight
        self.head = head
        self.dimensions = dimensions
    }

    /// The embedded vectors, or the referenced file after checking it is the one trained with.
    func openEmbeddings(modelPath: String, override: String?) throws -> WordEmbeddings {
        if let words = embeddedWords, let vectors = embeddedVectors {
            guard words.count == vectors.count, vectors.allSatisfy({ $0.count == dimensions }), dimensions > 0 else {
                throw ModelFileError(path: modelPath, message: "damaged embedded vectors")
            }
            return WordEmbeddings(words: words, vectors: vectors, dimensions: dimensions)
        }
        guard let recorded = embeddingsPath else {
            throw ModelFileError(path: modelPath, message: "the model records no embeddings")
        }
        let path = override ?? recorded
        guard let current = WordEmbeddings.fingerprint(ofFileAt: path) else {
            throw ModelFileError(path: modelPath, message: "its embedding file \(path) is missing; pass --embeddings")
        }
        guard current == embeddingsFingerprint else {
            throw ModelFileError(path: modelPath, message: "the embedding file \(path) is not the one the model was trained "
                                 + "with (size/modification time \(current), expected \(embeddingsFingerprint ?? "none"))")
        }
        let embeddings: WordEmbeddings
        do {
            embeddings = try WordEmbeddings(contentsOf: path)
        } catch {
            throw ModelFileError(path: modelPath, message: "cannot read its embeddings: \(error)")
        }
        guard embeddings.dimensions == dimensions else {
            throw ModelFileError(path: modelPath, message: "\(path) has \(embeddings.dimensions) dimensions, the model \(dimensions)")
        }
        return embeddings
    }
}
