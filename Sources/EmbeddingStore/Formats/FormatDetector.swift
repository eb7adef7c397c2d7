/// Detects a file's format from its first bytes.
enum FormatDetector {
    static let fastTextMagic: UInt32 = 793_712_314

    static func detect(_ source: ByteSource) throws -> EmbeddingFormat {
        let bytes = source.bytes
        if NativeFormat.hasMagic(bytes) { return .native }
        if bytes.count >= 4 && bytes.loadUnaligned(as: UInt32.self).littleEndian == fastTextMagic { return .fasttextBin }
        if HeaderLine.looksLikeHeader(bytes) {
            _ = try HeaderLine.parse(source)  // two integers: a header, and a bad one (a negative count) is its error
        }
        guard let header = try? HeaderLine.parse(source) else {
            let binaryExtension = source.path.hasSuffix(".bin")
            if binaryExtension && FastTextBinaryReader.looksLikeLegacyModel(bytes) { return .fasttextBin }
            try refuseUnknownBinary(source)
            return .glove
        }
        // A header: binary rows hold raw floats, text rows hold `dims` number tokens on one line.
        let firstRowEnd = bytes[header.bodyStart...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        let firstRow = UnsafeRawBufferPointer(rebasing: bytes[header.bodyStart..<firstRowEnd])
        let tokens = firstRow.split(whereSeparator: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == 13 })
        // NaN and infinities count as numbers here, so a text file holding them is read as text
        // and reports them by line instead of passing for binary.
        let nonFinite: Set<String> = ["nan", "-nan", "inf", "-inf", "+inf", "infinity", "-infinity"]
        let looksLikeText = tokens.count == header.dimensions + 1
            && tokens.dropFirst().allSatisfy { token in
                token.withUnsafeBytes { (try? FloatParser.parse($0)) != nil }
                    || nonFinite.contains(String(decoding: token, as: UTF8.self).lowercased())
            }
        if !looksLikeText { return .word2vecBinary }
        return source.path.hasSuffix(".vec") || source.path.hasSuffix(".vec.gz") ? .fasttextVec : .word2vecText
    }

    /// A file with no header whose first line holds a NUL byte is binary data in no known format
    /// (GloVe text would otherwise report its bytes as a "value … not a number").
    private static func refuseUnknownBinary(_ source: ByteSource) throws {
        let bytes = source.bytes
        let firstLine = bytes.prefix(4096).prefix { $0 != UInt8(ascii: "\n") }
        guard firstLine.contains(0) else { return }
        let magic = bytes.count >= 4 ? String(bytes.loadUnaligned(as: UInt32.self).littleEndian, radix: 16) : "none"
        throw source.error(.byte(0), .unknownFormat,
                           "binary data in no format this reads (first 4 bytes 0x\(magic) little-endian): not fastText (magic 0x"
                           + String(fastTextMagic, radix: 16) + "), not EmbeddingKit native, not word2vec binary (no `count dims` header)")
    }
}
