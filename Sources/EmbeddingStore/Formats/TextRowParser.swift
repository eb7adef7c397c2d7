/// Parses one `word v1 … vD` line of a text vector file into floats.
///
/// Separators are spaces and tabs; the caller strips the line ending (`\n`, `\r\n`) and trailing
/// whitespace first (`content(of:)`).
struct TextRowParser: Sendable {
    let path: String
    let dimensions: Int
    let nonFiniteValues: LoadOptions.NonFiniteValues

    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// `line` without trailing whitespace, CR or LF.
    static func content(of line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var end = line.count
        while end > 0, isSpace(line[end - 1]) || line[end - 1] == 0x0A { end -= 1 }
        return UnsafeRawBufferPointer(rebasing: line[0..<end])
    }

    /// Parses `line` (see `content(of:)`) into `output[0..<dimensions]`.
    /// - Returns: the length of the word at the start of the line.
    /// - Throws: `EmbeddingFileError` at `lineNumber`: empty line, missing word, wrong number of
    ///   values, a token that is not a number, or (unless allowed) a non-finite value.
    func parse(_ line: UnsafeRawBufferPointer, lineNumber: Int, into output: UnsafeMutablePointer<Float>) throws -> Int {
        guard !line.isEmpty else {
            throw error(lineNumber, .raggedRow, "empty line; expected a word and \(dimensions) values")
        }
        let end = line.count
        var position = 0
        while position < end && !Self.isSpace(line[position]) { position += 1 }
        let wordLength = position
        guard wordLength > 0 else {
            throw error(lineNumber, .raggedRow, "the line starts with whitespace instead of a word")
        }
        let base = line.baseAddress!.assumingMemoryBound(to: UInt8.self)
        var found = 0
        while true {
            while position < end && Self.isSpace(line[position]) { position += 1 }
            if position == end { break }
            guard found < dimensions else {
                throw error(lineNumber, .raggedRow, "expected \(dimensions) values, found more")
            }
            let tokenStart = position
            do throws(FloatParser.Failure) {
                let (value, length) = try FloatParser.parsePrefix(base + position, count: end - position)
                position += length
                guard position == end || Self.isSpace(line[position]) else { throw .notANumber }
                output[found] = value
            } catch {
                while position < end && !Self.isSpace(line[position]) { position += 1 }
                let token = UnsafeRawBufferPointer(rebasing: line[tokenStart..<position])
                if error == .nonFinite && nonFiniteValues == .allow {
                    output[found] = Self.nonFiniteValue(token)
                } else {
                    let text = String(decoding: token.prefix(40), as: UTF8.self)
                    throw error == .nonFinite
                        ? self.error(lineNumber, .nonFiniteValue, "value \(found + 1) is \"\(text)\", not finite")
                        : self.error(lineNumber, .badNumber, "value \(found + 1) is \"\(text)\", not a number")
                }
            }
            found += 1
        }
        guard found == dimensions else {
            throw error(lineNumber, .raggedRow, "expected \(dimensions) values, found \(found)")
        }
        return wordLength
    }

    /// NaN or ±infinity for an allowed non-finite token.
    private static func nonFiniteValue(_ token: UnsafeRawBufferPointer) -> Float {
        let text = String(decoding: token, as: UTF8.self).lowercased()
        if text.contains("nan") { return .nan }
        return text.hasPrefix("-") ? -.infinity : .infinity
    }

    private func error(_ line: Int, _ kind: EmbeddingFileError.Kind, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: .line(line), kind: kind, message: message)
    }
}
