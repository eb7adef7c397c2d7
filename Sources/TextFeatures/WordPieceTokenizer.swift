import LinearAlgebra

/// The WordPiece tokenizer of BERT-style encoders, giving the ids Hugging Face `tokenizers` gives:
/// special tokens written in the text (`[SEP]`, `[MASK]` …) kept whole, BERT basic tokenization
/// (`BertNormalizer`, `BertPreTokenizer`), greedy longest-match-first WordPiece with `##`
/// continuations (a word that cannot be split so, or longer than 100 characters, is `[UNK]`),
/// `[CLS] … [SEP]` around, truncated to the maximum length. Read one from a model's own files
/// with `init(contentsOf:)`.
public struct WordPieceTokenizer: Sendable {
    /// The token of each id (empty for ids the vocabulary skips).
    public let tokens: [String]
    /// The id of each token, by its UTF-8 bytes (canonically equivalent spellings stay distinct, as in the file).
    private let ids: [[UInt8]: Int32]
    /// The basic tokenization before WordPiece.
    let basic: BertBasicTokenizer
    /// What marks a piece that continues a word (`##`).
    public let continuingPrefix: String
    /// Words longer than this many Unicode scalars are `[UNK]` whole.
    public let maximumCharactersPerWord: Int
    /// The id of `[UNK]`.
    public let unknownID: Int32
    /// The id padding fills batches with (`[PAD]`).
    public let paddingID: Int32
    /// The ids before each sequence (`[CLS]`) and after it (`[SEP]`).
    public let prefixIDs: [Int32], suffixIDs: [Int32]
    /// The tokens recognised as they are written in the text, longest first.
    private let specialTokens: [(scalars: [Unicode.Scalar], id: Int32)]
    /// The most ids one encoding holds, the special tokens included.
    public let maximumLength: Int

    /// How a tokenizer normalises and splits text before WordPiece.
    public struct Normalization: Sendable, Hashable {
        /// Lower-case the text.
        public var lowercases: Bool
        /// Strip accents (nil: when lower-casing, as BERT does).
        public var stripsAccents: Bool?
        /// Make each CJK ideograph a word.
        public var separatesChineseCharacters: Bool
        /// Remove control characters and make every whitespace a space.
        public var cleansText: Bool

        /// BERT's settings for uncased models by default.
        public init(lowercases: Bool = true, stripsAccents: Bool? = nil, separatesChineseCharacters: Bool = true, cleansText: Bool = true) {
            (self.lowercases, self.stripsAccents, self.separatesChineseCharacters, self.cleansText)
                = (lowercases, stripsAccents, separatesChineseCharacters, cleansText)
        }
    }

    /// A tokenizer over `vocabulary` (token `i` has id `i`; empty strings are gaps).
    /// - Parameters:
    ///   - specialTokens: tokens recognised whole in the text (the unknown, classifier, separator
    ///     and padding tokens always are).
    ///   - prefix, suffix: the tokens around each sequence (`[CLS]`, `[SEP]`).
    ///   - maximumLength: the most ids one encoding holds (at least the prefix and suffix plus one).
    /// - Throws: `TokenizerFileError` (for the path `vocabulary`) when a named token is missing, a
    ///   token repeats, or the lengths are out of range.
    public init(vocabulary: [String], normalization: Normalization = Normalization(), unknownToken: String = "[UNK]",
                paddingToken: String = "[PAD]", prefix: [String] = ["[CLS]"], suffix: [String] = ["[SEP]"], specialTokens: [String] = [],
                continuingPrefix: String = "##", maximumCharactersPerWord: Int = 100, maximumLength: Int = 512) throws {
        func failure(_ message: String) -> TokenizerFileError { TokenizerFileError(path: "vocabulary", place: nil, message: message) }
        var ids: [[UInt8]: Int32] = [:]
        ids.reserveCapacity(vocabulary.count)
        for (id, token) in vocabulary.enumerated() where !token.isEmpty {
            guard ids.updateValue(Int32(id), forKey: Array(token.utf8)) == nil else { throw failure("token '\(token)' appears twice") }
        }
        func id(_ token: String) throws -> Int32 {
            guard let id = ids[Array(token.utf8)] else { throw failure("the vocabulary has no '\(token)'") }
            return id
        }
        guard (1...1_000_000).contains(maximumCharactersPerWord) else { throw failure("the longest word is \(maximumCharactersPerWord) characters") }
        guard maximumLength > prefix.count + suffix.count, maximumLength <= 1 << 20 else { throw failure("the maximum length is \(maximumLength)") }
        self.tokens = vocabulary
        self.ids = ids
        basic = BertBasicTokenizer(cleansText: normalization.cleansText, separatesChineseCharacters: normalization.separatesChineseCharacters,
                                   stripsAccents: normalization.stripsAccents ?? normalization.lowercases, lowercases: normalization.lowercases)
        self.continuingPrefix = continuingPrefix
        self.maximumCharactersPerWord = maximumCharactersPerWord
        unknownID = try id(unknownToken)
        paddingID = try id(paddingToken)
        prefixIDs = try prefix.map(id)
        suffixIDs = try suffix.map(id)
        let whole = Set([unknownToken, paddingToken] + prefix + suffix + specialTokens).filter { !$0.isEmpty }
        self.specialTokens = try whole.map { (Array($0.unicodeScalars), try id($0)) }.sorted { $0.scalars.count > $1.scalars.count }
        self.maximumLength = maximumLength
    }

    /// The ids of `text`: `[CLS]`, its pieces (the first `maximumLength` minus the special tokens), `[SEP]`.
    /// - Parameter maximumLength: the limit instead of the tokenizer file's (sentence-transformers
    ///   truncates at its own `max_seq_length`); nil for the file's.
    public func encode(_ text: String, maximumLength: Int? = nil) -> [Int32] {
        let limit = maximumLength ?? self.maximumLength
        let room = max(0, limit - prefixIDs.count - suffixIDs.count)
        return prefixIDs + pieces(of: text).prefix(room) + suffixIDs
    }

    /// The ids of `text`'s pieces alone: no special tokens around them, no truncation.
    public func pieces(of text: String) -> [Int32] {
        var result: [Int32] = []
        let scalars = text.unicodeScalars
        var segmentStart = scalars.startIndex, position = scalars.startIndex
        while position < scalars.endIndex {
            if let special = specialTokens.first(where: { scalars[position...].starts(with: $0.scalars) }) {
                appendPieces(of: Substring(scalars[segmentStart..<position]), to: &result)
                result.append(special.id)
                position = scalars.index(position, offsetBy: special.scalars.count)
                segmentStart = position
            } else {
                position = scalars.index(after: position)
            }
        }
        appendPieces(of: Substring(scalars[segmentStart...]), to: &result)
        return result
    }

    /// The WordPiece pieces of the words of a stretch of text without special tokens.
    private func appendPieces(of text: Substring, to result: inout [Int32]) {
        guard !text.isEmpty else { return }
        for word in basic.words(in: text) { appendPieces(ofWord: word, to: &result) }
    }

    /// Greedy longest-match-first: the longest prefix in the vocabulary, then the longest
    /// `##`-continuation of the rest, and so on; `[UNK]` for the whole word when a rest has none.
    private func appendPieces(ofWord word: [Unicode.Scalar], to result: inout [Int32]) {
        guard word.count <= maximumCharactersPerWord else {
            result.append(unknownID)
            return
        }
        let bytes = word.map { Array(String($0).utf8) }, prefix = Array(continuingPrefix.utf8)
        var found: [Int32] = [], start = 0
        while start < word.count {
            var end = word.count, match: Int32?
            while end > start {
                let candidate = (start > 0 ? prefix : []) + bytes[start..<end].joined()
                if let id = ids[candidate] {
                    match = id
                    break
                }
                end -= 1
            }
            guard let match else {
                result.append(unknownID)
                return
            }
            found.append(match)
            start = end
        }
        result += found
    }

    /// Sentences as one batch for an encoder: ids padded to the longest encoding, with the
    /// attention mask (1 for a token, 0 for padding) and token types (all 0: one sequence each),
    /// each `[sentences, longest]` integers.
    public func batch(_ texts: [String], maximumLength: Int? = nil) -> (ids: Tensor, attentionMask: Tensor, tokenTypes: Tensor) {
        batch(encoded: texts.map { encode($0, maximumLength: maximumLength) })
    }

    /// Encodings (as `encode` gives them) as one batch, as `batch(_:maximumLength:)` lays it out.
    public func batch(encoded: [[Int32]]) -> (ids: Tensor, attentionMask: Tensor, tokenTypes: Tensor) {
        let width = encoded.map(\.count).max() ?? 0
        let ids = encoded.flatMap { $0 + [Int32](repeating: paddingID, count: width - $0.count) }
        let mask = encoded.flatMap { [Int32](repeating: 1, count: $0.count) + [Int32](repeating: 0, count: width - $0.count) }
        let shape = [encoded.count, width]
        return (Tensor(shape: shape, integers: ids), Tensor(shape: shape, integers: mask),
                Tensor(shape: shape, integers: [Int32](repeating: 0, count: ids.count)))
    }
}
