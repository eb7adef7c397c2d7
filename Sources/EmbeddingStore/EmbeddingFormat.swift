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
