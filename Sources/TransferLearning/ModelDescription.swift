import Classifiers
import EmbeddingStore
import Foundation
import ImageFeatures
import LinearAlgebra
import TextFeatures

/// The JSON model description a model file's header holds; the big arrays are tensors beside it.
struct ModelDescription: Codable {
    var format: String
    var version: Int
    var strategy: TransferStrategy
    var labels: [String]
    var advice: StrategyAdvice?
    var trainingCoverage: Double
    var dimensions = 0
    /// The embedding file the model reads (nil: self-contained).
    var embeddings: EmbeddingReference?
    var pooledFeatures: PooledFeaturesDescription?
    var embeddingBag: TextBagModel.Description?
    /// Sentence-encoder models: the encoder folder and the network on it.
    var sentenceEncoder: SentenceEncoderModelDescription?
    /// Image models: the network, from the image to the classes.
    var image: ImageNetworkDescription?
    /// Image models: how they trained (the schedule and the augmentation).
    var imageTraining: ImageTrainingSettings?
    /// Whether the header holds an image model in the form of format version 2 (`imageNetwork`,
    /// `imageGraph`), which this build cannot read.
    var olderImageModel = false

    private enum CodingKeys: String, CodingKey {
        case format, version, strategy, labels, advice, trainingCoverage, dimensions, embeddings, pooledFeatures, embeddingBag, sentenceEncoder, image,
             imageTraining
        case imageNetwork, imageGraph
    }

    init(format: String, version: Int, strategy: TransferStrategy, labels: [String], advice: StrategyAdvice?, trainingCoverage: Double) {
        self.format = format
        self.version = version
        self.strategy = strategy
        self.labels = labels
        self.advice = advice
        self.trainingCoverage = trainingCoverage
    }

    init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        format = try values.decode(String.self, forKey: .format)
        version = try values.decode(Int.self, forKey: .version)
        strategy = try values.decode(TransferStrategy.self, forKey: .strategy)
        labels = try values.decode([String].self, forKey: .labels)
        advice = try values.decodeIfPresent(StrategyAdvice.self, forKey: .advice)
        trainingCoverage = try values.decode(Double.self, forKey: .trainingCoverage)
        dimensions = try values.decodeIfPresent(Int.self, forKey: .dimensions) ?? 0
        embeddings = try values.decodeIfPresent(EmbeddingReference.self, forKey: .embeddings)
        pooledFeatures = try values.decodeIfPresent(PooledFeaturesDescription.self, forKey: .pooledFeatures)
        embeddingBag = try values.decodeIfPresent(TextBagModel.Description.self, forKey: .embeddingBag)
        sentenceEncoder = try values.decodeIfPresent(SentenceEncoderModelDescription.self, forKey: .sentenceEncoder)
        image = try values.decodeIfPresent(ImageNetworkDescription.self, forKey: .image)
        imageTraining = try values.decodeIfPresent(ImageTrainingSettings.self, forKey: .imageTraining)
        olderImageModel = values.contains(.imageNetwork) || values.contains(.imageGraph)
    }

    func encode(to encoder: any Encoder) throws {
        var values = encoder.container(keyedBy: CodingKeys.self)
        try values.encode(format, forKey: .format)
        try values.encode(version, forKey: .version)
        try values.encode(strategy, forKey: .strategy)
        try values.encode(labels, forKey: .labels)
        try values.encodeIfPresent(advice, forKey: .advice)
        try values.encode(trainingCoverage, forKey: .trainingCoverage)
        try values.encode(dimensions, forKey: .dimensions)
        try values.encodeIfPresent(embeddings, forKey: .embeddings)
        try values.encodeIfPresent(pooledFeatures, forKey: .pooledFeatures)
        try values.encodeIfPresent(embeddingBag, forKey: .embeddingBag)
        try values.encodeIfPresent(sentenceEncoder, forKey: .sentenceEncoder)
        try values.encodeIfPresent(image, forKey: .image)
        try values.encodeIfPresent(imageTraining, forKey: .imageTraining)
    }

    /// The referenced file after checking it is the one trained with, the embedded vectors, or
    /// nil for a self-contained embedding-bag model (its rows are tensors).
    func openEmbeddings(container: TensorContainer, modelPath: String, override: String?) throws -> WordEmbeddings? {
        guard dimensions > 0 else { throw ModelFileError(path: modelPath, message: "header: dimensions \(dimensions)") }
        if let embeddings {
            return try embeddings.open(modelPath: modelPath, override: override, dimensions: dimensions)
        }
        if container.tensors[EmbeddedVectors.vectorsName] != nil {
            return try EmbeddedVectors.read(container.tensors, dimensions: dimensions, modelPath: modelPath)
        }
        return nil
    }
}

/// Where a model's embedding file is and which file it was.
struct EmbeddingReference: Codable {
    var absolutePath: String
    /// Relative to the model file's folder, so a moved folder of model and vectors still works.
    var relativePath: String?
    var fingerprint: String

    init(embeddings: WordEmbeddings, modelPath: String) throws {
        let source = embeddings.metadata.sourcePath
        guard !source.isEmpty, let fingerprint = ContentFingerprint.of(fileAt: source) else {
            throw ModelFileError(path: modelPath, message: "the embeddings were not read from a file; write the model self-contained")
        }
        absolutePath = URL(fileURLWithPath: source).standardizedFileURL.path
        relativePath = Self.relative(absolutePath, toModelAt: modelPath)
        self.fingerprint = fingerprint
    }

    /// The absolute `path` relative to the folder of the model file at `modelPath`.
    static func relative(_ path: String, toModelAt modelPath: String) -> String {
        relative(path, from: URL(fileURLWithPath: modelPath).standardizedFileURL.deletingLastPathComponent().path)
    }

    /// Where a file (or folder) a model refers to is now: `override` when given, else the recorded
    /// path relative to the model file's folder, then the absolute one — the first that `exists`
    /// accepts (nil when none does).
    static func locate(modelPath: String, override: String?, relativePath: String?, absolutePath: String, exists: (String) -> Bool) -> String? {
        let modelFolder = URL(fileURLWithPath: modelPath).deletingLastPathComponent()
        let candidates = override.map { [$0] } ?? [relativePath.map { modelFolder.appendingPathComponent($0).path }, absolutePath].compactMap { $0 }
        return candidates.first(where: exists)
    }

    /// `path` relative to the folder `base` (both absolute).
    static func relative(_ path: String, from base: String) -> String {
        let target = path.split(separator: "/"), folder = base.split(separator: "/")
        let common = zip(target, folder).prefix { $0 == $1 }.count
        return (Array(repeating: "..", count: folder.count - common) + target[common...].map(String.init)).joined(separator: "/")
    }

    func open(modelPath: String, override: String?, dimensions: Int) throws -> WordEmbeddings {
        guard let path = Self.locate(modelPath: modelPath, override: override, relativePath: relativePath, absolutePath: absolutePath,
                                     exists: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ModelFileError(path: modelPath, message: "its embedding file \(override ?? absolutePath) is missing; pass --embeddings")
        }
        guard ContentFingerprint.matches(fingerprint, fileAt: path) else {
            throw ModelFileError(path: modelPath, message: "the embedding file \(path) is not the one the model was trained with "
                                 + "(content fingerprint differs)")
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

/// A fixed-features model's featurizer settings and trained classifier.
struct PooledFeaturesDescription: Codable {
    var tokenizer: TokenizerConfiguration
    var settings: FeaturizerSettings
    var wordWeights: [String: Float]
    var defaultWeight: Float
    var head: TrainedClassifier

    func body(embeddings: WordEmbeddings?, labelCount: Int, modelPath: String) throws -> PooledFeaturesModel {
        guard let embeddings else { throw ModelFileError(path: modelPath, message: "the model has no embeddings") }
        let featurizer = DocumentFeaturizer(embeddings: embeddings, tokenizer: tokenizer.makeTokenizer(), settings: settings,
                                            wordWeights: wordWeights, defaultWeight: defaultWeight)
        guard head.hasShape(featureCount: featurizer.featureCount, classCount: labelCount) else {
            throw ModelFileError(path: modelPath, message: "header: the classifier's shape does not match its \(labelCount) labels "
                                 + "and \(featurizer.featureCount) features")
        }
        return PooledFeaturesModel(featurizer: featurizer, head: head)
    }
}

/// Every word and vector of a self-contained fixed-features model.
enum EmbeddedVectors {
    static let vectorsName = "embeddings.vectors", wordBytesName = "embeddings.word_bytes", wordEndsName = "embeddings.word_ends"

    static func read(_ tensors: [String: TensorContainer.Tensor], dimensions: Int, modelPath: String) throws -> WordEmbeddings {
        guard let vectors = tensors[vectorsName], let bytes = tensors[wordBytesName], let ends = tensors[wordEndsName],
              bytes.type == .uint8, vectors.shape.count == 2, vectors.shape[1] == dimensions else {
            throw ModelFileError(path: modelPath, message: "the embedded vectors are incomplete")
        }
        let values = try vectors.floats(in: modelPath, name: vectorsName), limits = try ends.integers(in: modelPath, name: wordEndsName)
        guard limits.count == vectors.shape[0], zip([0] + limits, limits).allSatisfy({ $0 <= $1 }), Int(limits.last ?? 0) == bytes.bytes.count else {
            throw ModelFileError(path: modelPath, message: "tensor '\(wordEndsName)': word boundaries do not fit the word bytes")
        }
        var words: [String] = [], start = 0
        for end in limits {
            guard let word = String(validating: bytes.bytes[start..<Int(end)], as: UTF8.self) else {
                throw ModelFileError(path: modelPath, message: "tensor '\(wordBytesName)': a word is not valid UTF-8")
            }
            words.append(word)
            start = Int(end)
        }
        let rows = (0..<words.count).map { Array(values[($0 * dimensions)..<(($0 + 1) * dimensions)]) }
        return WordEmbeddings(words: words, vectors: rows, dimensions: dimensions)
    }
}
