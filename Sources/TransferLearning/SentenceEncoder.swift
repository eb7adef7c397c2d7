import Foundation
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// A BERT-style sentence encoder (all-MiniLM-L6-v2 and its kind) as one graph: WordPiece ids
/// and attention mask in, the transformer, then the pooling and normalisation the model's
/// sentence-transformers modules ask for, one embedding per sentence out.
///
/// Open one from a folder as sentence-transformers downloads it — `config.json`,
/// `model.safetensors`, `tokenizer.json` or `vocab.txt`, and where present `modules.json`,
/// `1_Pooling/config.json` and `sentence_bert_config.json` (whose `max_seq_length` truncates).
public struct SentenceEncoder: Sendable {
    /// How token states become one sentence vector.
    public enum Pooling: String, Sendable, Hashable {
        /// The mean over the tokens the mask marks.
        case mean
        /// The first token's state (`[CLS]`).
        case classToken
    }

    /// The transformer's shape.
    public let configuration: TransformerConfiguration
    /// The tokenizer its ids come from.
    public let tokenizer: WordPieceTokenizer
    /// How token states are pooled.
    public let pooling: Pooling
    /// Whether embeddings are divided by their length.
    public let normalizes: Bool
    /// The most tokens a sentence is given (`[CLS]` and `[SEP]` included).
    public private(set) var maximumLength: Int
    /// The graph: inputs `input_ids` and `attention_mask` (`[batch, sequence]` integers), outputs
    /// the sentence embeddings `[batch, hidden]` and the last hidden state `[batch, sequence, hidden]`.
    public let graph: Graph
    /// The folder it was read from.
    public let folder: String

    /// The encoder of a sentence-transformers (or plain Hugging Face BERT) folder.
    /// - Throws: `ModelFileError` or `TokenizerFileError` naming the file and what is missing,
    ///   misshapen or of a kind not supported (another architecture, another pooling).
    public init(folder path: String) throws {
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        func json(_ name: String) throws -> [String: Any]? {
            guard let data = FileManager.default.contents(atPath: file(name)) else { return nil }
            guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ModelFileError(path: file(name), message: "is not a JSON object")
            }
            return object
        }
        guard let configurationData = FileManager.default.contents(atPath: file("config.json")) else {
            throw ModelFileError(path: file("config.json"), message: "cannot be read (a sentence encoder folder holds config.json and model.safetensors)")
        }
        do { configuration = try TransformerConfiguration(configurationFile: configurationData) } catch let error as OperationError {
            throw ModelFileError(path: file("config.json"), message: error.message)
        }
        tokenizer = try WordPieceTokenizer(contentsOf: path)
        let modules = try Self.modules(file("modules.json"))
        let poolingSettings = try json((modules.pooling ?? "1_Pooling") + "/config.json")
        pooling = try Self.pooling(poolingSettings, path: file((modules.pooling ?? "1_Pooling") + "/config.json"))
        normalizes = modules.normalizes
        let declared = (try json("sentence_bert_config.json"))?["max_seq_length"] as? Int
        maximumLength = min(declared ?? tokenizer.maximumLength, configuration.maximumPositions)
        self.folder = path
        let weightsPath = file("model.safetensors")
        let container = try TensorContainer(safetensors: weightsPath)
        graph = try Self.graph(configuration, pooling: pooling, normalizes: normalizes) { name, shape in
            guard let tensor = container.tensors[name] ?? container.tensors["bert." + name] else {
                throw ModelFileError(path: weightsPath, message: "has no tensor '\(name)'")
            }
            guard tensor.shape == shape else { throw ModelFileError(path: weightsPath, message: "tensor '\(name)' is \(tensor.shape), not \(shape)") }
            return Tensor(shape: shape, elements: try tensor.floats(in: weightsPath, name: name))
        }
    }

    /// The encoder with sentences cut to at most `length` tokens (`[CLS]` and `[SEP]` included;
    /// at most the position table's length and at least 3).
    public func truncating(to length: Int) -> SentenceEncoder {
        var copy = self
        copy.maximumLength = min(max(3, length), configuration.maximumPositions)
        return copy
    }

    /// The graph of the encoder with weights from `weights`.
    static func graph(_ configuration: TransformerConfiguration, pooling: Pooling, normalizes: Bool,
                      weights: (String, [Int]) throws -> Tensor) throws -> Graph {
        var builder = GraphBuilder(inputs: [Graph.Input(name: "input_ids", shape: [nil, nil], elementType: .int32),
                                            Graph.Input(name: "attention_mask", shape: [nil, nil], elementType: .int32)])
        let hidden = try builder.transformerEncoder(ids: .input(0), mask: .input(1), configuration: configuration, weights: weights)
        var embedding = switch pooling {
        case .mean: builder.maskedMean(hidden, mask: .input(1))
        case .classToken: builder.node(Gather(axis: 1), [hidden, builder.parameter("pooling.first", Tensor(shape: [], integers: [0]), kind: .constant)])
        }
        if normalizes { embedding = builder.l2Normalized(embedding) }
        return try builder.graph(outputs: [embedding, hidden])
    }

    /// The files whose content makes the encoder: its weights and the tokenizer file read
    /// (`tokenizer.json`, else `vocab.txt`).
    public var contentFiles: [String] {
        let tokenizerFile = ["tokenizer.json", "vocab.txt"].map { (folder as NSString).appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0) }
        return [(folder as NSString).appendingPathComponent("model.safetensors")] + (tokenizerFile.map { [$0] } ?? [])
    }

    /// The sentence embeddings of `sentences`, one row each, in batches of `batchSize` sentences of
    /// similar length (sorted by token count, as sentence-transformers batches, so little is padding).
    /// - Throws: `GraphError` only for a defect (the graph takes what the tokenizer gives).
    public func encode(_ sentences: [String], batchSize: Int = 32, parallelism: Parallelism = .available) throws -> Matrix {
        try rows(of: graph, for: sentences, batchSize: batchSize, parallelism: parallelism).matrix
    }

    /// The first output of `network` — a graph reading this encoder's `input_ids` and
    /// `attention_mask`, N × width out — for each of `sentences`, batched as `encode` batches, and
    /// their mean `coverage(of:)`.
    func rows(of network: Graph, for sentences: [String], batchSize: Int = 32, parallelism: Parallelism = .available)
        throws -> (matrix: Matrix, coverage: Double) {
        let encoded = tokenized(sentences)
        return (try rows(of: network, forTokenized: encoded, batchSize: batchSize, parallelism: parallelism), coverage(of: encoded))
    }

    /// Each sentence's ids, cut to `maximumLength`.
    func tokenized(_ sentences: [String]) -> [[Int32]] {
        sentences.map { tokenizer.encode($0, maximumLength: maximumLength) }
    }

    /// The first output of `network` for sentences already tokenized, in batches of similar length.
    func rows(of network: Graph, forTokenized encoded: [[Int32]], batchSize: Int = 32, parallelism: Parallelism = .available) throws -> Matrix {
        let order = encoded.indices.sorted { (encoded[$0].count, $0) < (encoded[$1].count, $1) }
        let width = network.shape(of: network.outputs[0]).last ?? 0
        var rows = [Float](repeating: 0, count: encoded.count * width)
        for start in stride(from: 0, to: order.count, by: max(1, batchSize)) {
            let members = Array(order[start..<min(order.count, start + max(1, batchSize))])
            let batch = tokenizer.batch(encoded: members.map { encoded[$0] })
            let outputs = try network.run([batch.ids, batch.attentionMask], outputs: [network.outputs[0]], parallelism: parallelism)[0]
            outputs.withUnsafeBufferPointer { values in
                for (position, sentence) in members.enumerated() {
                    rows.replaceSubrange((sentence * width)..<((sentence + 1) * width), with: values[(position * width)..<((position + 1) * width)])
                }
            }
        }
        return Matrix(rows: encoded.count, columns: width, elements: rows)
    }

    /// The mean over texts of the share of their WordPiece pieces that are not `[UNK]` (the
    /// special tokens around them not counted; texts without pieces left out; 1 when none has any):
    /// what token coverage means for word vectors, the share of tokens the model knows.
    func coverage(of encoded: [[Int32]]) -> Double {
        let (prefix, suffix) = (tokenizer.prefixIDs.count, tokenizer.suffixIDs.count)
        let shares = encoded.compactMap { ids -> Double? in
            let pieces = ids.dropFirst(prefix).dropLast(suffix)
            guard !pieces.isEmpty else { return nil }
            return Double(pieces.filter { $0 != tokenizer.unknownID }.count) / Double(pieces.count)
        }
        return shares.isEmpty ? 1 : shares.reduce(0, +) / Double(shares.count)
    }

    /// The pooling folder and whether a `Normalize` module follows, from `modules.json` (without
    /// one: mean pooling, not normalised, as sentence-transformers treats a plain BERT).
    private static func modules(_ path: String) throws -> (pooling: String?, normalizes: Bool) {
        guard let data = FileManager.default.contents(atPath: path) else { return (nil, false) }
        guard let modules = try? JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw ModelFileError(path: path, message: "is not a list of modules")
        }
        var pooling: String?, normalizes = false
        for module in modules {
            switch module["type"] as? String {
            case "sentence_transformers.models.Transformer"?: continue
            case "sentence_transformers.models.Pooling"?: pooling = module["path"] as? String
            case "sentence_transformers.models.Normalize"?: normalizes = true
            case let other: throw ModelFileError(path: path, message: "module \(other ?? "without a type") is not supported (Transformer, Pooling, Normalize are)")
            }
        }
        return (pooling, normalizes)
    }

    /// The pooling a `1_Pooling/config.json` asks for (mean when there is none).
    private static func pooling(_ settings: [String: Any]?, path: String) throws -> Pooling {
        guard let settings else { return .mean }
        let modes = settings.filter { $0.key.hasPrefix("pooling_mode_") && ($0.value as? Bool) == true }.map(\.key)
        switch modes {
        case ["pooling_mode_mean_tokens"]: return .mean
        case ["pooling_mode_cls_token"]: return .classToken
        default: throw ModelFileError(path: path, message: "pooling \(modes.sorted()) is not supported (mean tokens or the CLS token alone are)")
        }
    }
}
