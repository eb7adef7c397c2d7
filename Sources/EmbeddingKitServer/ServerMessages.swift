import EmbeddingStore
import Hummingbird
import TransferLearning

// Request and response bodies. Responses use the keys of the CLI's `--json` output.

/// One word and its cosine similarity (`neighbors`, `analogy`).
struct ScoredWord: Codable, Sendable {
    let word: String
    let similarity: Float
}

/// `embkit neighbors --json`'s object: a query word and its neighbours, or an error for it.
struct NeighborsAnswer: ResponseCodable {
    let query: String
    var neighbors: [ScoredWord]?
    var error: String?
}

/// `embkit similarity --json`'s object.
struct SimilarityAnswer: ResponseCodable {
    let a: String, b: String
    var similarity: Float?
    var error: String?
}

/// `embkit analogy --json`'s object.
struct AnalogyAnswer: ResponseCodable {
    let a: String, b: String, c: String
    let method: String
    var results: [ScoredWord]?
    var error: String?
}

/// A word and its vector (`embkit vector --json`).
struct VectorAnswer: ResponseCodable {
    let word: String
    var vector: [Float]?
    var error: String?
}

/// `embkit predict --json`'s object for one line.
struct PredictAnswer: ResponseCodable {
    struct Label: Codable, Sendable {
        let label: String
        let probability: Float
    }
    let labels: [Label]
}

/// `embkit encode --json`'s object for one line: the text and its sentence embedding.
struct EncodeAnswer: ResponseCodable {
    let text: String
    let embedding: [Float]
}

/// Several answers for a batch request.
struct BatchAnswer<Answer: Codable & Sendable>: ResponseCodable {
    let results: [Answer]
}

struct NeighborsBatch: Decodable {
    let embeddings: String?
    let words: [String]
    let k: Int?
}

struct SimilarityBatch: Decodable {
    let embeddings: String?
    let pairs: [[String]]
}

struct AnalogyBatch: Decodable {
    struct Question: Decodable { let a: String, b: String, c: String }
    let embeddings: String?
    let questions: [Question]
    let k: Int?
    let method: String?
}

struct VectorBatch: Decodable {
    let embeddings: String?
    let words: [String]
}

struct EncodeBatch: Decodable {
    let encoder: String?
    let texts: [String]
}

struct PredictBatch: Decodable {
    /// Labels per line when a request does not say: 1, as `embkit predict`.
    static let defaultK = 1

    let model: String?
    let lines: [String]
    let k: Int?
    let threshold: Float?
}

/// `GET /health`.
struct HealthAnswer: ResponseCodable {
    let status: String
    let embeddings: [String]
    let models: [String]
    let encoders: [String]
}
