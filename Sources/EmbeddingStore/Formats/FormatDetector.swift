/// Detects a file's format from its first bytes.
enum FormatDetector {
    static let fastTextMagic: UInt32 = 793_712_314

    static func detect(_ source: ByteSource) throws -> EmbeddingFormat {
        let bytes = source.bytes
        if NativeFormat.hasMagic(bytes) { return .native }
        if bytes.count >= 4 && bytes.loadUnaligned(as: UInt32.self).littleEndian == fastTextMagic { return .fasttextBin }
        guard let header = try? HeaderLine.parse(source) else {
            let binaryExtension = source.path.hasSuffix(".bin")
            return binaryExtension && FastTextBinaryReader.looksLikeLegacyModel(bytes) ? .fasttextBin : .glove
        }
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
