/// How a document's word vectors become one feature vector; recorded in saved models.
public struct FeaturizerSettings: Sendable, Hashable, Codable {
    /// How the word vectors of a document are combined.
    public enum Pooling: String, Sendable, Hashable, Codable, CaseIterable {
        /// The (weighted) mean.
        case mean
        /// The element-wise maximum.
        case max
        /// The mean followed by the maximum: twice the dimensions.
        case meanAndMax = "mean-max"
    }

    /// How much each word counts in the mean.
    public enum Weighting: String, Sendable, Hashable, Codable, CaseIterable {
        /// Every token counts once.
        case none
        /// Each token weighs its inverse document frequency in the training corpus,
        /// `ln((1 + N) / (1 + df)) + 1` (scikit-learn's smooth idf), so a word's total weight is tf·idf.
        case tfidf
        /// Smooth inverse frequency (Arora et al. 2017): `a / (a + p(word))` with `a = 1e-3` and
        /// `p` the word's share of the training tokens; the common-component removal is not applied.
        case sif
    }

    /// What happens to a token that has no vector.
    public enum UnknownWords: String, Sendable, Hashable, Codable, CaseIterable {
        /// It is left out (and lowers the coverage).
        case skip
        /// Featurizing fails, naming the word.
        case fail
        /// It gets the mean of its character n-gram vectors when the embeddings have them
        /// (fastText `.bin`), and is left out otherwise.
        case subwords
    }

    /// How word vectors are combined.
    public var pooling: Pooling
    /// How they are weighted in the mean.
    public var weighting: Weighting
    /// Whether the pooled vector is scaled to unit L2 norm.
    public var normalize: Bool
    /// What happens to unknown tokens.
    public var unknownWords: UnknownWords

    /// Settings with the defaults: mean pooling, no weighting, no normalisation, skip unknown words.
    public init(pooling: Pooling = .mean, weighting: Weighting = .none, normalize: Bool = false,
                unknownWords: UnknownWords = .skip) {
        self.pooling = pooling
        self.weighting = weighting
        self.normalize = normalize
        self.unknownWords = unknownWords
    }
}
