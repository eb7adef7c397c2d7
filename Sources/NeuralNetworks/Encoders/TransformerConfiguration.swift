import Foundation

/// The shape of a BERT-style encoder: the fields of a Hugging Face `config.json` it is built from.
public struct TransformerConfiguration: Sendable, Hashable, Codable {
    /// Token ids run from 0 to this.
    public var vocabularySize: Int
    /// The width of every token's state.
    public var hiddenSize: Int
    /// The transformer layers.
    public var layerCount: Int
    /// The attention heads of each layer (they split the hidden size evenly).
    public var headCount: Int
    /// The width of each feed-forward block.
    public var intermediateSize: Int
    /// The longest sequence the position table covers.
    public var maximumPositions: Int
    /// The token types (segments) the type table covers.
    public var typeVocabularySize: Int
    /// The layer normalisations' epsilon.
    public var layerNormEpsilon: Float
    /// The feed-forward activation: `gelu` (exact), `gelu_new`/`gelu_pytorch_tanh` (tanh approximation) or `relu`.
    public var activation: String

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads", intermediateSize = "intermediate_size", maximumPositions = "max_position_embeddings"
        case typeVocabularySize = "type_vocab_size", layerNormEpsilon = "layer_norm_eps", activation = "hidden_act"
    }

    /// A configuration of these sizes.
    public init(vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int, maximumPositions: Int = 512,
                typeVocabularySize: Int = 2, layerNormEpsilon: Float = 1e-12, activation: String = "gelu") {
        (self.vocabularySize, self.hiddenSize, self.layerCount, self.headCount, self.intermediateSize) =
            (vocabularySize, hiddenSize, layerCount, headCount, intermediateSize)
        (self.maximumPositions, self.typeVocabularySize, self.layerNormEpsilon, self.activation) =
            (maximumPositions, typeVocabularySize, layerNormEpsilon, activation)
    }

    /// Reads `config.json` (only BERT-style models: `model_type` bert, or none given), checked.
    /// - Throws: `OperationError` naming the field that is missing, of another model type, or out of range.
    public init(configurationFile data: Data) throws {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw OperationError("config.json is not a JSON object")
        }
        if let type = object["model_type"] as? String, type != "bert" {
            throw OperationError("model_type '\(type)' is not supported (BERT-style encoders are)")
        }
        if let embedding = object["position_embedding_type"] as? String, embedding != "absolute" {
            throw OperationError("position_embedding_type '\(embedding)' is not supported (absolute is)")
        }
        do {
            self = try JSONDecoder().decode(Self.self, from: data)
        } catch DecodingError.keyNotFound(let key, _) {
            throw OperationError("config.json has no '\(key.stringValue)'")
        } catch {
            throw OperationError("config.json: \(error)")
        }
        try validate()
    }

    /// Checks the sizes are usable.
    /// - Throws: `OperationError` naming the first that is not.
    public func validate() throws {
        for (name, value, range) in [("vocab_size", vocabularySize, 1...10_000_000), ("hidden_size", hiddenSize, 1...65_536),
                                     ("num_hidden_layers", layerCount, 1...1_024), ("num_attention_heads", headCount, 1...1_024),
                                     ("intermediate_size", intermediateSize, 1...262_144), ("max_position_embeddings", maximumPositions, 1...1_048_576),
                                     ("type_vocab_size", typeVocabularySize, 1...1_024)] where !range.contains(value) {
            throw OperationError("\(name) is \(value), outside \(range.lowerBound)...\(range.upperBound)")
        }
        guard hiddenSize % headCount == 0 else { throw OperationError("hidden_size \(hiddenSize) does not split into \(headCount) heads") }
        guard layerNormEpsilon.isFinite, layerNormEpsilon > 0 else { throw OperationError("layer_norm_eps is \(layerNormEpsilon)") }
        guard ["gelu", "gelu_new", "gelu_pytorch_tanh", "relu"].contains(activation) else {
            throw OperationError("hidden_act '\(activation)' is not supported (gelu, gelu_new, gelu_pytorch_tanh, relu are)")
        }
    }
}
