import Foundation

/// BERT's "basic tokenization", as Hugging Face `tokenizers` performs it (`BertNormalizer` then
/// `BertPreTokenizer`): control and format characters removed, every kind of whitespace made a
/// space, CJK ideographs set apart, accents stripped (canonical decomposition without its
/// non-spacing marks), lower-casing, then words split at whitespace and at each punctuation mark.
/// Everything works on Unicode scalars (Rust `char`s), never on grapheme clusters.
struct BertBasicTokenizer: Sendable, Hashable {
    /// Remove control characters and make whitespace spaces.
    var cleansText = true
    /// Put spaces around CJK ideographs, so each is a word.
    var separatesChineseCharacters = true
    /// Decompose and drop non-spacing marks.
    var stripsAccents = true
    /// Lower-case (full Unicode mappings: one scalar may become several).
    var lowercases = true

    /// The words of `text` (each a run of scalars).
    func words(in text: Substring) -> [[Unicode.Scalar]] {
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if cleansText {
                if scalar.value == 0 || scalar.value == 0xFFFD || Self.isControl(scalar) { continue }
                if Self.isWhitespace(scalar) {
                    scalars.append(" ")
                    continue
                }
            }
            if separatesChineseCharacters && Self.isChineseCharacter(scalar) {
                scalars += [" ", scalar, " "]
            } else {
                scalars.append(scalar)
            }
        }
        if stripsAccents {
            var string = String.UnicodeScalarView()
            string.append(contentsOf: scalars)
            scalars = String(string).decomposedStringWithCanonicalMapping.unicodeScalars
                .filter { $0.properties.generalCategory != .nonspacingMark }
        }
        if lowercases {
            scalars = scalars.flatMap { scalar -> [Unicode.Scalar] in
                if scalar.isASCII { return [(65...90).contains(scalar.value) ? Unicode.Scalar(UInt8(scalar.value + 32)) : scalar] }
                return Array(scalar.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return Self.split(scalars)
    }

    /// Words between whitespace, each punctuation mark a word of its own.
    private static func split(_ scalars: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        var words: [[Unicode.Scalar]] = [], current: [Unicode.Scalar] = []
        for scalar in scalars {
            if scalar.properties.isWhitespace {
                if !current.isEmpty { words.append(current) }
                current = []
            } else if isPunctuation(scalar) {
                if !current.isEmpty { words.append(current) }
                words.append([scalar])
                current = []
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// Tab, newline and carriage return, and the Unicode White_Space property.
    static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\t" || scalar == "\n" || scalar == "\r" || scalar.properties.isWhitespace
    }

    /// Categories Cc, Cf, Co and Cs, except tab, newline and carriage return (unassigned code points
    /// stay, as `tokenizers` keeps them).
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "\t" || scalar == "\n" || scalar == "\r" { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate: return true
        default: return false
        }
    }

    /// ASCII punctuation (which includes symbols such as `$`, `+` and `^`) and the Unicode P* categories.
    static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 33...47, 58...64, 91...96, 123...126: return true
        default: break
        }
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
             .finalPunctuation, .otherPunctuation: return true
        default: return false
        }
    }

    /// The CJK Unified Ideographs blocks and their extensions and compatibility blocks (not kana or Hangul).
    static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
             0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F: return true
        default: return false
        }
    }
}
