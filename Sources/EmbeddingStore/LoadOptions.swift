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
        /// Use `<source>.ekv` when its recorded content fingerprint matches the source's;
        /// otherwise read the source and write that cache (a write failure is only recorded in
        /// `EmbeddingMetadata.cacheStatus`). Ignored together with `limit`.
        case beside
    }

    /// How much of a native file's checksummed content is checked when it opens.
    public enum Verification: Sendable, Hashable {
        /// The header, word list, lookup table and metadata always; the matrix and norms too
        /// when the file is at most `automaticFullLimit` bytes (larger ones: `embkit verify`).
        case automatic
        /// Every section, whatever the size (reads the whole file).
        case full
        /// Only the header, word list, lookup table and metadata: O(vocabulary) work, the matrix
        /// untouched until used.
        case structure

        /// Files up to this size are checked whole under `.automatic` (measured: 30–43 ms for an
        /// 80 MB file on 2 cores).
        public static let automaticFullLimit = 256 << 20
    }

    /// Called from any thread with the fraction done (0…1) while a long load runs; must be
    /// thread-safe and quick. Libraries never print: the caller decides how to show it.
    public typealias Progress = @Sendable (Double) -> Void

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
    /// Receives the fraction done while parsing text, scanning word2vec binary or inflating gzip.
    public var progress: Progress?
    /// How much of a native file is checked against its checksums on open.
    public var verification: Verification

    /// Options with the defaults: detect the format, read everything, strict UTF-8, reject NaN/Inf,
    /// exact case, no cache, native files checked whole up to 256 MiB.
    public init(format: EmbeddingFormat? = nil, limit: Int? = nil, textDecoding: TextDecoding = .strict,
                nonFiniteValues: NonFiniteValues = .reject, caseMatching: Vocabulary.CaseMatching = .exact,
                cache: Cache = .off, progress: Progress? = nil, verification: Verification = .automatic) {
        self.cache = cache
        self.progress = progress
        self.verification = verification
        self.format = format
        self.limit = limit
        self.textDecoding = textDecoding
        self.nonFiniteValues = nonFiniteValues
        self.caseMatching = caseMatching
    }
}
