import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks

/// A text classifier on a sentence encoder, by any strategy: one graph from WordPiece ids and
/// attention mask to class probabilities — the encoder, frozen or fine-tuned, and the new head on
/// its sentence embedding.
public struct SentenceEncoderClassifier: TransferBody {
    /// The pre-trained encoder: its tokenizer and maximum length prepare the texts; a model file
    /// refers to its folder for every weight training left as it was.
    public let encoder: SentenceEncoder
    /// `input_ids` and `attention_mask` in (as the encoder's graph), class probabilities
    /// (`[batch, classes]`) out.
    public let network: Graph
    /// The parameters training changed or added, by name; the others are the encoder's own.
    public let trainedParameters: Set<String>

    /// A classifier from its encoder and trained network.
    public init(encoder: SentenceEncoder, network: Graph, trainedParameters: Set<String>) {
        self.encoder = encoder
        self.network = network
        self.trainedParameters = trainedParameters
    }

    /// `texts`.
    public var inputs: String { "texts" }

    /// The network's probabilities, sentences batched by length, and the share of their WordPiece
    /// pieces that are not `[UNK]`.
    public func probabilities(for texts: [String], labels: [String]) throws -> (matrix: Matrix, coverage: Double) {
        try encoder.rows(of: network, for: texts)
    }

    /// Not yet: the WordPiece tokenizer has no ONNX form here.
    public func inferenceGraph(labels: [String]) throws -> InferenceGraph {
        throw TransferError.notExportable("a sentence-encoder model (its WordPiece tokenizer stays outside the graph)")
    }

    /// The network with only the trained parameters as tensors; the rest are read back from the
    /// encoder folder, which the file names with the content fingerprints of its weights and tokenizer.
    /// - Throws: `ModelFileError` for `.selfContained` (the tokenizer lives in the folder) or an
    ///   encoder folder that cannot be fingerprinted.
    public func record(into file: inout ModelFileContents, storage: TransferModel.EmbeddingStorage, precision: TensorPrecision) throws {
        guard storage == .reference else {
            throw ModelFileError(path: file.path, message: "a sentence-encoder model refers to its encoder folder; it cannot be written self-contained")
        }
        file.description.sentenceEncoder = try SentenceEncoderModelDescription(self, modelPath: file.path, precision: precision,
                                                                               into: &file.tensors)
    }
}

/// What a model file's header records of a sentence-encoder classifier.
struct SentenceEncoderModelDescription: Codable {
    /// The encoder folder and the fingerprints of the files that make it.
    var encoder: EncoderFolderReference
    /// The network; the parameters not in `trainedParameters` are read from the encoder.
    var graph: GraphRecord
    var trainedParameters: [String]
    /// The most tokens a text was given in training (nil: the folder's own limit).
    var maximumLength: Int?

    init(_ classifier: SentenceEncoderClassifier, modelPath: String, precision: TensorPrecision, into tensors: inout [String: TensorContainer.Tensor]) throws {
        encoder = try EncoderFolderReference(classifier.encoder, modelPath: modelPath)
        graph = GraphRecord(classifier.network, prefix: "graph", precision: precision, into: &tensors) { classifier.trainedParameters.contains($0.name) }
        trainedParameters = classifier.trainedParameters.sorted()
        maximumLength = classifier.encoder.maximumLength
    }

    /// The classifier, after checking the encoder folder is the one trained with.
    /// - Throws: `ModelFileError` for a missing or changed encoder, or a network that does not fit it.
    func body(tensors: [String: TensorContainer.Tensor], modelPath: String, override: String?) throws -> SentenceEncoderClassifier {
        var sentenceEncoder = try encoder.open(modelPath: modelPath, override: override)
        if let maximumLength {
            guard (3...sentenceEncoder.configuration.maximumPositions).contains(maximumLength) else {
                throw ModelFileError(path: modelPath, message: "header: maximum length \(maximumLength) does not fit the encoder")
            }
            sentenceEncoder = sentenceEncoder.truncating(to: maximumLength)
        }
        let pretrained = Dictionary(sentenceEncoder.graph.parameters.map { ($0.name, $0.value) }) { first, _ in first }
        let network = try graph.graph(tensors: tensors, prefix: "graph", path: modelPath, external: pretrained)
        guard network.inputs.count == 2, network.outputs.count == 1 else {
            throw ModelFileError(path: modelPath, message: "header: the network does not read ids and a mask into one output")
        }
        return SentenceEncoderClassifier(encoder: sentenceEncoder, network: network, trainedParameters: Set(trainedParameters))
    }
}

/// Where a model's sentence encoder is and which one it was.
struct EncoderFolderReference: Codable {
    var absolutePath: String
    /// Relative to the model file's folder.
    var relativePath: String?
    /// The fingerprint of each file that makes the encoder (weights, tokenizer), by file name.
    var fingerprints: [String: String]

    init(_ encoder: SentenceEncoder, modelPath: String) throws {
        absolutePath = URL(fileURLWithPath: encoder.folder).standardizedFileURL.path
        relativePath = EmbeddingReference.relative(absolutePath, toModelAt: modelPath)
        var fingerprints: [String: String] = [:]
        for file in encoder.contentFiles {
            guard let fingerprint = ContentFingerprint.of(fileAt: file) else {
                throw ModelFileError(path: modelPath, message: "the encoder file \(file) cannot be read to fingerprint it")
            }
            fingerprints[(file as NSString).lastPathComponent] = fingerprint
        }
        self.fingerprints = fingerprints
    }

    /// The encoder, from `override` (`--embeddings DIR` of `test` and `predict`) or the recorded
    /// folder (relative first), each recorded file checked against its fingerprint.
    func open(modelPath: String, override: String?) throws -> SentenceEncoder {
        guard let folder = EmbeddingReference.locate(modelPath: modelPath, override: override, relativePath: relativePath, absolutePath: absolutePath,
                                                     exists: { FileManager.default.fileExists(atPath: ($0 as NSString).appendingPathComponent("config.json")) }) else {
            throw ModelFileError(path: modelPath, message: "its sentence encoder \(override ?? absolutePath) is missing; pass --embeddings DIR")
        }
        guard !fingerprints.isEmpty else { throw ModelFileError(path: modelPath, message: "header: the encoder reference has no fingerprints") }
        for (name, fingerprint) in fingerprints.sorted(by: { $0.key < $1.key }) {
            guard !name.contains("/"), ContentFingerprint.matches(fingerprint, fileAt: (folder as NSString).appendingPathComponent(name)) else {
                throw ModelFileError(path: modelPath, message: "the encoder's \(name) in \(folder) is not the one the model was trained with "
                                     + "(content fingerprint differs)")
            }
        }
        do {
            return try SentenceEncoder(folder: folder)
        } catch {
            throw ModelFileError(path: modelPath, message: "cannot read its sentence encoder: \(error)")
        }
    }
}
