/// The vector file formats EmbeddingKit reads and writes, named as on the command line.
public enum EmbeddingFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// word2vec binary: `count dims` header, then `word ` and `dims` little-endian float32 per row.
    case word2vecBinary = "word2vec-binary"
    /// word2vec text: `count dims` header, then `word v1 … vD` per line.
    case word2vecText = "word2vec-text"
    /// GloVe text: no header, `word v1 … vD` per line, dimensions from the first row.
    case glove
    /// fastText `.vec`: the word2vec text layout, as fastText writes it.
    case fasttextVec = "fasttext-vec"
    /// fastText `.bin` / `.ftz` model files.
    case fasttextBin = "fasttext-bin"
    /// EmbeddingKit's own memory-mappable format.
    case native

    /// The command-line name.
    public var description: String { rawValue }

    /// Whether rows are text lines with a `count dims` header line.
    var hasTextHeader: Bool { self == .word2vecText || self == .fasttextVec }
}

/// Options for opening a vector file.
public struct LoadOptions: Sendable {
    /// How invalid UTF-8 in words is treated.
    public enum TextDecoding: Sendable, Hashable {
        /// Invalid UTF-8 is an error naming the byte offset.
        case strict
        /// Invalid sequences become U+FFFD (word2vec.c can cut multi-byte characters).
        case lossy
    }

    /// What happens to NaN and infinite vector values.
    public enum NonFiniteValues: Sendable, Hashable {
        /// They are an error naming the line or byte offset.
        case reject
        /// They are loaded as they are.
        case allow
    }

    /// Whether a native cache file is kept beside a non-native source.
    public enum Cache: Sendable, Hashable {
        /// Always read the source.
        case off
        /// Use `<source>.ekv` when its recorded size and modification time match the source;
        /// otherwise read the source and write that cache (a write failure is only recorded in
        /// `EmbeddingMetadata.cacheStatus`). Ignored together with `limit`.
        case beside
    }

    /// The format, or nil to detect it from the contents.
    public var format: EmbeddingFormat?
    /// Read only the first `limit` rows (in file order), or all when nil.
    public var limit: Int?
    /// Strict or lossy UTF-8 for words.
    public var textDecoding: TextDecoding
    /// Reject or allow NaN and infinite values.
    public var nonFiniteValues: NonFiniteValues
    /// How `vector(for:)` matches case.
    public var caseMatching: Vocabulary.CaseMatching
    /// Whether a native cache beside the source is used and written.
    public var cache: Cache

    /// Options with the defaults: detect the format, read everything, strict UTF-8, reject NaN/Inf,
    /// exact case, no cache.
    public init(format: EmbeddingFormat? = nil, limit: Int? = nil, textDecoding: TextDecoding = .strict,
                nonFiniteValues: NonFiniteValues = .reject, caseMatching: Vocabulary.CaseMatching = .exact,
                cache: Cache = .off) {
        self.cache = cache
        self.format = format
        self.limit = limit
        self.textDecoding = textDecoding
        self.nonFiniteValues = nonFiniteValues
        self.caseMatching = caseMatching
    }
}
