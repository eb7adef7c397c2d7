import EmbeddingStore

/// Splits text into the tokens that are looked up in an embedding table.
public protocol Tokenizer: Sendable {
    /// The tokens of `text`, in order.
    func tokens(in text: String) -> [String]
    /// Calls `body` with the UTF-8 bytes of each token, in order (what featurizing uses).
    func forEachToken(in text: String, _ body: (UnsafeRawBufferPointer) -> Void)
    /// What a saved model records to rebuild this tokenizer.
    var configuration: TokenizerConfiguration { get }
}

extension Tokenizer {
    /// The tokens of `tokens(in:)`, as UTF-8 bytes.
    public func forEachToken(in text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        for token in tokens(in: text) {
            var token = token
            token.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        }
    }
}

/// A tokenizer and its settings, as recorded in saved models.
public enum TokenizerConfiguration: Sendable, Hashable, Codable {
    /// `UnicodeTokenizer` with its case handling.
    case unicode(caseFolding: CaseFolding)
    /// `WhitespaceTokenizer` (fastText's splitting).
    case whitespace

    /// The tokenizer these settings describe.
    public func makeTokenizer() -> any Tokenizer {
        switch self {
        case .unicode(let folding): UnicodeTokenizer(caseFolding: folding)
        case .whitespace: WhitespaceTokenizer()
        }
    }
}

/// Whether tokens are lowercased.
public enum CaseFolding: String, Sendable, Hashable, Codable {
    /// Tokens keep their case.
    case preserve
    /// Tokens are lowercased (GloVe and most English embeddings are lowercase).
    case lowercase
}

/// fastText's tokenizer: tokens are the runs between ASCII whitespace (space, tab, newline,
/// vertical tab, form feed, carriage return, NUL); nothing else is changed.
public struct WhitespaceTokenizer: Tokenizer {
    /// A whitespace tokenizer.
    public init() {}

    /// The whitespace-separated tokens of `text`.
    public func tokens(in text: String) -> [String] {
        text.utf8.split(whereSeparator: FastTextSupervisedModel.isWordSeparator)
            .map { String(decoding: $0, as: UTF8.self) }
    }

    /// `.whitespace`.
    public var configuration: TokenizerConfiguration { .whitespace }
}
