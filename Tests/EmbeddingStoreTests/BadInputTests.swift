import EmbeddingStore
import Foundation
import Testing

/// word2vec binary bytes: the header, then `word ` + float32 values (+ `separator`) per row.
func word2vecBinary(_ rows: [(String, [Float])], header: String? = nil, separator: [UInt8] = [0x0A]) -> [UInt8] {
    var bytes = Array((header ?? "\(rows.count) \(rows.first?.1.count ?? 0)\n").utf8)
    for (word, values) in rows {
        bytes += Array(word.utf8) + [0x20]
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 } }
        bytes += separator
    }
    return bytes
}

@Suite("Every bad input fails with a typed error that says where")
struct BadInputTests {
    @Test("a missing file names the path")
    func missingFile() {
        let error = loadError("/nonexistent/vectors.txt")
        #expect(error?.kind == .cannotOpen)
        #expect(error?.description.hasPrefix("/nonexistent/vectors.txt: cannot open") == true)
    }

    @Test("an empty file is reported as empty")
    func emptyFile() throws {
        #expect(loadError(try TestFiles.write("", named: "empty.txt"))?.kind == .empty)
    }

    @Test("a header that is not two numbers, has zero or negative dims, or a negative count",
          arguments: ["two words\nw 1\n", "3 0\nw\n", "-1 3\nw 1 2 3\n", "2 -3\nw 1 2 3\n", "2 3 4\nw 1 2 3\n"])
    func badHeader(text: String) throws {
        let error = loadError(try TestFiles.write(text, named: "bad.txt"), options: LoadOptions(format: .word2vecText))
        #expect(error?.kind == .badHeader)
        #expect(error?.location == .line(1))
    }

    @Test("a header promising more rows than the file can hold fails before allocating")
    func lyingHeader() throws {
        let text = try TestFiles.write("4000000000 300\nw 1 2\n", named: "lying.txt")
        #expect(loadError(text, options: LoadOptions(format: .word2vecText))?.kind == .badHeader)
        let binary = try TestFiles.write(word2vecBinary([("a", [1, 2])], header: "900000000000 2\n"), named: "lying.bin")
        #expect(loadError(binary, options: LoadOptions(format: .word2vecBinary))?.kind == .badHeader)
    }

    @Test("a binary file cut inside its last vector names the byte offset")
    func truncatedBinary() throws {
        let bytes = word2vecBinary([("a", [1, 2, 3]), ("b", [4, 5, 6])])
        let path = try TestFiles.write(Array(bytes.dropLast(6)), named: "cut.bin")
        let error = loadError(path)
        #expect(error?.kind == .truncated)
        #expect(error?.location == .byte(21))
        #expect(error?.description.contains(": byte 21: row 2 of 2 needs 12 bytes of values, 7 remain") == true)
    }

    @Test("a text file with fewer rows than its header names the line after the last")
    func truncatedText() throws {
        let error = loadError(try TestFiles.write("3 2\na 1 2\nb 3 4\n", named: "short.txt"))
        #expect(error?.kind == .truncated)
        #expect(error?.location == .line(4))
    }

    @Test("a ragged GloVe row names its line and the widths")
    func raggedRow() throws {
        let error = loadError(try TestFiles.write("a 1 2 3\nb 4 5\nc 6 7 8\n", named: "ragged.txt"))
        #expect(error?.kind == .raggedRow)
        #expect(error?.location == .line(2))
        #expect(error?.message == "expected 3 values, found 2")
        #expect(loadError(try TestFiles.write("a 1 2\nb 4 5 6\n", named: "wide.txt"))?.location == .line(2))
    }

    @Test("a non-numeric token names its line")
    func nonNumeric() throws {
        let error = loadError(try TestFiles.write("2 2\na 1 2\nb 3 x4\n", named: "junk.txt"))
        #expect(error?.kind == .badNumber)
        #expect(error?.description.hasSuffix(":3: value 2 is \"x4\", not a number") == true)
    }

    @Test("NaN and infinity are rejected by default, with location, and loaded when allowed")
    func nonFinite() throws {
        let text = try TestFiles.write("a 1 2\nb nan -inf\n", named: "nan.txt")
        let error = loadError(text)
        #expect(error?.kind == .nonFiniteValue && error?.location == .line(2))
        let allowed = try WordEmbeddings(contentsOf: text, options: LoadOptions(nonFiniteValues: .allow))
        #expect(allowed.vector(for: "b")![0].isNaN && allowed.vector(for: "b")![1] == -.infinity)
        // With a header and NaN in the first row, the file is still recognised as text.
        let headed = loadError(try TestFiles.write("1 2\na nan 1\n", named: "nan-first.vec"))
        #expect(headed?.kind == .nonFiniteValue && headed?.location == .line(2), "\(String(describing: headed))")

        let binary = try TestFiles.write(word2vecBinary([("a", [1, 2]), ("b", [3, .nan])]), named: "nan.bin")
        let binaryError = loadError(binary)
        #expect(binaryError?.kind == .nonFiniteValue && binaryError?.location == .byte(21))
    }

    @Test("invalid UTF-8 fails with its byte offset, or becomes U+FFFD in lossy mode")
    func invalidUTF8() throws {
        // word2vec.c can cut "é" (C3 A9) after its first byte.
        let bytes = word2vecBinary([("ok", [1]), ("caf\u{E9}", [2])]).enumerated()
            .filter { $0.offset != 16 }.map(\.element)
        let path = try TestFiles.write(bytes, named: "cut-utf8.bin")
        let error = loadError(path)
        #expect(error?.kind == .invalidUTF8 && error?.location == .byte(15))
        let lossy = try WordEmbeddings(contentsOf: path, options: LoadOptions(textDecoding: .lossy))
        #expect(lossy.contains("caf\u{FFFD}"))
        let text = try TestFiles.write([0x61, 0x20, 0x31, 0x0A, 0x62, 0xFF, 0x20, 0x32, 0x0A], named: "bad-utf8.txt")
        let textError = loadError(text)
        #expect(textError?.kind == .invalidUTF8 && textError?.location == .line(2))
    }

    @Test("CRLF line endings, trailing spaces and trailing blank lines load like plain LF")
    func lineEndings() throws {
        let plain = try WordEmbeddings(contentsOf: try TestFiles.write("2 2\na 1 2\nb 3 4\n", named: "lf.txt"))
        let windows = try WordEmbeddings(contentsOf: try TestFiles.write("2 2\r\na 1 2 \r\nb 3 4\r\n\r\n\n  \n", named: "crlf.txt"))
        #expect(Array(windows.vocabulary) == Array(plain.vocabulary))
        #expect(windows.vector(at: 1) == plain.vector(at: 1))
        #expect(loadError(try TestFiles.write("a 1 2\n\nb 3 4\n", named: "gap.txt"))?.location == .line(2))
    }

    @Test("a corrupt or truncated gzip stream is reported")
    func corruptGzip() throws {
        let gzipHeader: [UInt8] = [0x1F, 0x8B, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]
        let corrupt = try TestFiles.write(gzipHeader + [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x01], named: "corrupt.txt.gz")
        #expect(loadError(corrupt)?.kind == .badCompression)
        let truncated = try TestFiles.write(gzipHeader + [0x4B, 0x54, 0x30], named: "truncated.txt.gz")
        let error = loadError(truncated)
        #expect(error?.kind == .badCompression && error?.message == "the gzip stream is truncated")
    }

    @Test("a native file of another version is refused")
    func nativeVersion() throws {
        let folder = try TestFiles.scratchFolder()
        let path = folder.appendingPathComponent("v.ekv").path
        let embeddings = try WordEmbeddings(contentsOf: TestFiles.fixture("toy-model.vec"))
        try VectorFileWriter.write(embeddings, to: path, as: .native)
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[8] = 4
        let error = loadError(try TestFiles.write(bytes, named: "v4.ekv"))
        #expect(error?.kind == .unsupportedVersion && error?.location == .byte(8))
        let cut = loadError(try TestFiles.write(Array(bytes.prefix(200)), named: "cut.ekv"))
        #expect(cut?.kind == .unsupportedVersion || cut?.kind == .truncated)
        bytes[8] = 1
        let truncated = loadError(try TestFiles.write(Array(bytes.prefix(bytes.count - 100)), named: "short.ekv"))
        #expect(truncated?.kind == .truncated)
    }
}
