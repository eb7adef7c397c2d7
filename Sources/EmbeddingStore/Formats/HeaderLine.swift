/// The `count dims` first line of word2vec and fastText `.vec` files.
struct HeaderLine {
    let count: Int
    let dimensions: Int
    /// The offset of the first byte after the header's newline.
    let bodyStart: Int

    /// Parses the header at the start of `source`.
    /// - Throws: `.truncated` when the file ends inside it; see `parse(line:path:)`.
    static func parse(_ source: ByteSource) throws -> HeaderLine {
        let bytes = source.bytes
        guard let end = bytes.firstIndex(of: UInt8(ascii: "\n")) else {
            throw source.error(.line(1), .truncated, "the file ends inside the `count dims` header line")
        }
        let (count, dimensions) = try parse(line: UnsafeRawBufferPointer(rebasing: bytes[0..<end]), path: source.path)
        return HeaderLine(count: count, dimensions: dimensions, bodyStart: end + 1)
    }

    /// Whether the first line of `bytes` is two integers (of any sign): a header, valid or not.
    static func looksLikeHeader(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let line = bytes.prefix(200).prefix { $0 != UInt8(ascii: "\n") }
        let fields = String(decoding: line, as: UTF8.self).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        return fields.count == 2 && fields.allSatisfy { Int($0) != nil }
    }

    /// Parses one header line (without its newline).
    /// - Throws: `.badHeader` at line 1 for anything but two integers, a negative count or 0 dims.
    static func parse(line: UnsafeRawBufferPointer, path: String) throws -> (count: Int, dimensions: Int) {
        let text = String(decoding: line.prefix(200), as: UTF8.self)
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
        guard fields.count == 2, let count = Int(fields[0]), let dimensions = Int(fields[1]) else {
            throw EmbeddingFileError(path: path, location: .line(1), kind: .badHeader,
                                     message: "expected a `count dims` header, found \"\(text.prefix(60))\"")
        }
        guard count >= 0, dimensions > 0 else {
            throw EmbeddingFileError(path: path, location: .line(1), kind: .badHeader,
                                     message: "the header needs a count ≥ 0 and dimensions ≥ 1, found \(count) and \(dimensions)")
        }
        return (count, dimensions)
    }
}
