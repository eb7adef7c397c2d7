/// What is known about a loaded vector file.
public struct EmbeddingMetadata: Sendable, Hashable {
    /// The format the file was read as.
    public var format: EmbeddingFormat
    /// The path it was read from.
    public var sourcePath: String
    /// Whether the file was gzip-compressed.
    public var wasCompressed: Bool
    /// How many rows repeated an earlier word and were dropped (the first occurrence is kept).
    public var duplicateCount: Int
    /// For native files: the format of the file it was converted from.
    public var originalFormat: EmbeddingFormat? = nil
    /// For native files: the path of the file it was converted from.
    public var originalPath: String? = nil
    /// For native files: the original's content fingerprint when converted (`ContentFingerprint`).
    public var originalFingerprint: String? = nil
    /// Whether a native cache beside the source was used or written (`LoadOptions.cache`).
    public var cacheStatus: CacheStatus = .notUsed
}

/// What happened with the native cache beside a source file.
public enum CacheStatus: String, Sendable, Hashable {
    /// No cache was asked for, or the file is native already.
    case notUsed = "not-used"
    /// A current cache was opened instead of parsing the source.
    case hit
    /// The source was parsed and a new cache was written beside it.
    case written
    /// The source was parsed; the cache could not be written (for example a read-only folder).
    case writeFailed = "write-failed"
}
