/// The `count dims` first line of word2vec and fastText `.vec` files.
struct HeaderLine {
    let count: Int
    let dimensions: Int
    /// The offset of the first byte after the header's newline.
    let bodyStart: Int

    /// Parses the header of `source`.
    /// - Throws: `.badHeader` at line 1 for anything but two integers, a negative number or 0 dims.
    static func parse(_ source: ByteSource) throws -> HeaderLine {
        let bytes = source.bytes
        let end = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[0..<min(end, 200)]), as: UTF8.self)
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        guard end < bytes.count else {
            throw source.error(.line(1), .truncated, "the file ends inside the `count dims` header line")
        }
        guard fields.count == 2, let count = Int(fields[0]), let dimensions = Int(fields[1]) else {
            throw source.error(.line(1), .badHeader, "expected a `count dims` header, found \"\(text.prefix(60))\"")
        }
        guard count >= 0, dimensions > 0 else {
            throw source.error(.line(1), .badHeader,
                               "the header needs a count ≥ 0 and dimensions ≥ 1, found \(count) and \(dimensions)")
        }
        return HeaderLine(count: count, dimensions: dimensions, bodyStart: end + 1)
    }
}

/// Detects a file's format from its first bytes.
enum FormatDetector {
    static let fastTextMagic: UInt32 = 793_712_314

    static func detect(_ source: ByteSource) throws -> EmbeddingFormat {
        let bytes = source.bytes
        if NativeFormat.hasMagic(bytes) { return .native }
        if bytes.count >= 4 && bytes.loadUnaligned(as: UInt32.self).littleEndian == fastTextMagic { return .fasttextBin }
        guard let header = try? HeaderLine.parse(source) else { return .glove }
        // A header: binary rows hold raw floats, text rows hold `dims` number tokens on one line.
        let firstRowEnd = bytes[header.bodyStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let firstRow = UnsafeRawBufferPointer(rebasing: bytes[header.bodyStart..<firstRowEnd])
        let tokens = firstRow.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == 13 })
        let looksLikeText = tokens.count == header.dimensions + 1
            && tokens.dropFirst().allSatisfy { token in
                token.withUnsafeBytes { (try? FloatParser.parse($0)) != nil }
            }
        if !looksLikeText { return .word2vecBinary }
        return source.path.hasSuffix(".vec") || source.path.hasSuffix(".vec.gz") ? .fasttextVec : .word2vecText
    }
}
