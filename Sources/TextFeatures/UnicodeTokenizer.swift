/// The default tokenizer: Unicode-aware and close to the Penn Treebank conventions that GloVe and
/// word2vec vocabularies follow.
///
/// Rules, applied to Unicode scalars:
/// - Letters (with their combining marks) and digits form word tokens: `café`, `naïve`, `2024`.
/// - A number keeps its inner `.` or `,` between digits: `3.5`, `1,000`.
/// - English clitics are split off: `don't` → `do`, `n't`; `it's` → `it`, `'s`
///   (also `'re`, `'ve`, `'ll`, `'d`, `'m`); other apostrophes and hyphens inside words stay:
///   `rock'n'roll`, `well-known`.
/// - Every other punctuation mark or symbol is a token of its own: `.`, `,`, `!`, `“`, `$`.
/// - Han, Hiragana, Katakana and Hangul characters are one token each (no word segmentation).
/// - Whitespace separates tokens and is dropped. Case is folded when asked (the default).
public struct UnicodeTokenizer: Tokenizer {
    /// Whether tokens are lowercased.
    public var caseFolding: CaseFolding

    /// A tokenizer that lowercases unless told otherwise.
    public init(caseFolding: CaseFolding = .lowercase) {
        self.caseFolding = caseFolding
    }

    /// `.unicode(caseFolding:)`.
    public var configuration: TokenizerConfiguration { .unicode(caseFolding: caseFolding) }

    /// The tokens of `text` by the rules above.
    public func tokens(in text: String) -> [String] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [String] = []
        var index = 0
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                index += 1
            } else if Self.isIdeograph(scalar) {
                tokens.append(String(scalar))
                index += 1
            } else if Self.isWordScalar(scalar) {
                let end = wordEnd(scalars, from: index)
                appendWord(scalars[index..<end], to: &tokens)
                index = end
            } else {
                tokens.append(String(scalar))
                index += 1
            }
        }
        return caseFolding == .lowercase ? tokens.map { $0.lowercased() } : tokens
    }

    /// The end of the word starting at `start`: letters, marks and digits, with `.`/`,` between
    /// digits and apostrophes or hyphens between word scalars.
    private func wordEnd(_ scalars: [Unicode.Scalar], from start: Int) -> Int {
        var end = start
        while end < scalars.count {
            let scalar = scalars[end]
            if Self.isWordScalar(scalar) && !Self.isIdeograph(scalar) {
                end += 1
                continue
            }
            let joinsDigits = (scalar == "." || scalar == ",") && end > start
                && scalars[end - 1].properties.numericType != nil
                && end + 1 < scalars.count && scalars[end + 1].properties.numericType != nil
            let joinsWords = Self.isInnerJoiner(scalar) && end > start
                && end + 1 < scalars.count && Self.isWordScalar(scalars[end + 1]) && !Self.isIdeograph(scalars[end + 1])
            guard joinsDigits || joinsWords else { break }
            end += 1
        }
        return end
    }

    /// Appends a word (curly apostrophes written straight), splitting a final English clitic
    /// (`n't`, `'s`, `'re`, …) into its own token.
    private func appendWord(_ word: ArraySlice<Unicode.Scalar>, to tokens: inout [String]) {
        let text = String(String.UnicodeScalarView(word))
        let normalized = text.replacingApostrophes()
        let lower = normalized.lowercased()
        if lower.hasSuffix("n't") && lower.count > 3 {
            tokens.append(String(normalized.dropLast(3)))
            tokens.append(String(normalized.suffix(3)))
            return
        }
        for clitic in ["'s", "'re", "'ve", "'ll", "'d", "'m"] where lower.hasSuffix(clitic) && lower.count > clitic.count {
            tokens.append(String(normalized.dropLast(clitic.count)))
            tokens.append(String(normalized.suffix(clitic.count)))
            return
        }
        tokens.append(normalized)
    }

    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        return properties.isAlphabetic || properties.numericType != nil
            || properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark
    }

    /// Apostrophes (straight and curly) and hyphens, which may join two word parts.
    static func isInnerJoiner(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "'" || scalar == "\u{2019}" || scalar == "-"
    }

    /// Scripts written without spaces between words: each character is a token.
    static func isIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xAC00...0xD7AF, 0x20000...0x2FA1F:
            true
        default:
            false
        }
    }
}

private extension String {
    /// The text with the curly apostrophe U+2019 written as `'`, as embedding vocabularies spell it.
    func replacingApostrophes() -> String {
        contains("\u{2019}") ? String(unicodeScalars.map { $0 == "\u{2019}" ? "'" : Character($0) }) : self
    }
}
