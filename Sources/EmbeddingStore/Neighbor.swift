/// A word found by a similarity query, with its score (cosine similarity, or the 3CosMul score
/// for multiplicative analogies).
public struct Neighbor: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The word.
    public let word: String
    /// The score; higher is more similar.
    public let similarity: Float

    /// A neighbour `word` with score `similarity`.
    public init(word: String, similarity: Float) {
        self.word = word
        self.similarity = similarity
    }

    /// `word similarity`, as `embkit neighbors` prints it.
    public var description: String { "\(word) \(similarity)" }
}

/// How an analogy "a is to b as c is to ?" is answered.
public enum AnalogyMethod: String, Sendable, CaseIterable {
    /// 3CosAdd: the words closest to b − a + c (gensim `most_similar(positive=[b, c], negative=[a])`).
    case add
    /// 3CosMul (Levy & Goldberg 2014): gensim `most_similar_cosmul(positive=[b, c], negative=[a])`.
    case multiply = "mul"
}
