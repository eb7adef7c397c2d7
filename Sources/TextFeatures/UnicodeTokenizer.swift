/// The default tokenizer: Unicode-aware and close to the Penn Treebank conventions that GloVe and
/// word2vec vocabularies follow.
///
/// Rules, applied to Unicode scalars:
/// - Letters (with their combining marks) and digits form word tokens: `café`, `naïve`, `2024`.
/// - A number keeps its inner `.` or `,` between digits: `3.5`, `1,000`.
/// - English clitics are split off: `don't` → `do`, `n't`; `it's` → `it`, `'s`
///   (also `'re`, `'ve`, `'ll`, `'d`, `'m`); other apostrophes and hyphens inside words stay:
///   `rock'n'roll`, `well-known`. The curly apostrophe `’` is written `'`.
/// - Every other punctuation mark or symbol is a token of its own: `.`, `,`, `!`, `“`, `$`.
/// - Han, Hiragana, Katakana and Hangul characters are one token each (no word segmentation).
/// - Whitespace and control characters separate tokens and are dropped. Case is folded when
///   asked (the default).
///
/// ASCII text is handled byte by byte without creating strings; other scripts consult Unicode
/// properties.
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
        var tokens: [String] = []
        forEachToken(in: text) { tokens.append(String(decoding: $0, as: UTF8.self)) }
        return tokens
    }

    /// Calls `body` with the UTF-8 bytes of each token, in order, without creating strings.
    public func forEachToken(in text: String, _ body: (UnsafeRawBufferPointer) -> Void) {
        var text = text
        var scratch: [UInt8] = []
        scratch.reserveCapacity(64)
        text.withUTF8 { utf8 in
            let bytes = UnsafeRawBufferPointer(utf8)
            var index = 0
            while index < bytes.count {
                let (scalar, length) = Self.decode(bytes, at: index)
                let kind = Self.kind(of: scalar)
                switch kind {
                case .space:
                    index += length
                case .ideograph, .other:
                    body(UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]))
                    index += length
                case .letter, .digit:
                    let end = Self.wordEnd(bytes, from: index)
                    emitWord(UnsafeRawBufferPointer(rebasing: bytes[index..<end]), scratch: &scratch, body)
                    index = end
                }
            }
        }
    }

    /// Emits a word: apostrophes made straight, case folded, a final English clitic split off.
    private func emitWord(_ word: UnsafeRawBufferPointer, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) {
        scratch.removeAll(keepingCapacity: true)
        var ascii = true
        var index = 0
        while index < word.count {
            if word[index] == 0xE2 && index + 2 < word.count && word[index + 1] == 0x80 && word[index + 2] == 0x99 {
                scratch.append(0x27)
                index += 3
                continue
            }
            let byte = word[index]
            ascii = ascii && byte < 0x80
            scratch.append(caseFolding == .lowercase && byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            index += 1
        }
        if caseFolding == .lowercase && !ascii {
            scratch = Array(String(decoding: scratch, as: UTF8.self).lowercased().utf8)
        }
        let split = Self.cliticLength(scratch)
        scratch.withUnsafeBytes { all in
            if split > 0 {
                body(UnsafeRawBufferPointer(rebasing: all[0..<(all.count - split)]))
                body(UnsafeRawBufferPointer(rebasing: all[(all.count - split)...]))
            } else {
                body(all)
            }
        }
    }

    /// The length of a final clitic (`n't`, `'s`, `'re`, `'ve`, `'ll`, `'d`, `'m`, any case) that
    /// leaves something before it, else 0.
    private static func cliticLength(_ word: [UInt8]) -> Int {
        let count = word.count
        guard count >= 3 else { return 0 }
        let last = word[count - 1] | 0x20, second = word[count - 2] | 0x20, third = word[count - 3]
        if second == UInt8(ascii: "'") && (last == UInt8(ascii: "s") || last == UInt8(ascii: "d") || last == UInt8(ascii: "m")) {
            return 2
        }
        guard count >= 4 else { return 0 }
        if third | 0x20 == UInt8(ascii: "n") && second == UInt8(ascii: "'") && last == UInt8(ascii: "t") { return 3 }
        if third == UInt8(ascii: "'") && ((second == UInt8(ascii: "r") && last == UInt8(ascii: "e"))
            || (second == UInt8(ascii: "v") && last == UInt8(ascii: "e")) || (second == UInt8(ascii: "l") && last == UInt8(ascii: "l"))) {
            return 3
        }
        return 0
    }

    /// The end of the word starting at `start`: letters, marks and digits, with `.`/`,` between
    /// digits and apostrophes or hyphens between word scalars.
    private static func wordEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var end = start
        var previous = CharacterKind.space
        while end < bytes.count {
            let (scalar, length) = decode(bytes, at: end)
            let kind = kind(of: scalar)
            if kind == .letter || kind == .digit {
                previous = kind
                end += length
                continue
            }
            guard end + length < bytes.count else { break }
            let next = Self.kind(of: decode(bytes, at: end + length).scalar)
            let joinsDigits = (scalar == "." || scalar == ",") && previous == .digit && next == .digit
            let joinsWords = (scalar == "'" || scalar == "\u{2019}" || scalar == "-") && (next == .letter || next == .digit)
            guard joinsDigits || joinsWords else { break }
            end += length
        }
        return end
    }

    private enum CharacterKind { case space, letter, digit, ideograph, other }

    @inline(__always)
    private static func kind(of scalar: Unicode.Scalar) -> CharacterKind {
        let value = scalar.value
        guard value >= 0x80 else {
            switch UInt8(value) {
            case 0x30...0x39: return .digit
            case 0x41...0x5A, 0x61...0x7A: return .letter
            case 0x00...0x20, 0x7F: return .space
            default: return .other
            }
        }
        return nonASCIIKind(of: scalar)
    }

    @inline(never)
    private static func nonASCIIKind(of scalar: Unicode.Scalar) -> CharacterKind {
        switch scalar.value {
        case 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xAC00...0xD7AF, 0x20000...0x2FA1F:
            return .ideograph
        default:
            break
        }
        let properties = scalar.properties
        if properties.isWhitespace || properties.generalCategory == .control { return .space }
        if properties.numericType != nil { return .digit }
        if properties.isAlphabetic || properties.generalCategory == .nonspacingMark || properties.generalCategory == .spacingMark {
            return .letter
        }
        return .other
    }

    /// The scalar starting at `index` of valid UTF-8 and its length in bytes.
    @inline(__always)
    private static func decode(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (scalar: Unicode.Scalar, length: Int) {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
        var value = UInt32(lead) & (0xFF >> (length + 1))
        for offset in 1..<length { value = value << 6 | UInt32(bytes[index + offset] & 0x3F) }
        return (Unicode.Scalar(value) ?? "\u{FFFD}", length)
    }
}
