import EmbeddingStore
import Foundation
import Testing
import TextFeatures

@Suite("Corpora are read a line at a time")
struct CorpusStreamingTests {
    func write(_ bytes: [UInt8], suffix: String = ".txt") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)\(suffix)")
        try Data(bytes).write(to: url)
        return url.path
    }

    func allLines(_ path: String) throws -> [LineStream.Line] {
        var stream = try LineStream(path: path)
        var lines: [LineStream.Line] = []
        while let line = stream.next() { lines.append(line) }
        return lines
    }

    @Test("lines, numbers and offsets across 1 MiB reads; CRLF; a last line without a terminator")
    func linesAcrossChunks() throws {
        // Lines of 1 to 3,000 bytes, so several straddle the reader's 1 MiB chunks.
        var expected: [[UInt8]] = [], bytes: [UInt8] = []
        var length = 1
        while bytes.count < 3 << 20 {
            let line = [UInt8](repeating: UInt8(0x61 + expected.count % 26), count: length)
            expected.append(line)
            bytes += line + (expected.count % 3 == 0 ? [0x0D, 0x0A] : [0x0A])
            length = length * 7 % 3_001
        }
        bytes += Array("last".utf8)
        expected.append(Array("last".utf8))
        let lines = try allLines(try write(bytes))
        #expect(lines.count == expected.count)
        #expect(lines.map { Array($0.bytes) } == expected)
        #expect(lines.map(\.number) == Array(1...expected.count))
        var offset = 0
        for (index, line) in lines.enumerated() {
            #expect(line.offset == offset, "line \(index + 1)")
            offset += expected[index].count + ((index + 1) % 3 == 0 ? 2 : 1)
        }
    }

    @Test("an empty file has no lines; a folder or a missing file cannot be opened")
    func emptyAndMissing() throws {
        #expect(try allLines(try write([])).isEmpty)
        #expect(try allLines(try write([0x0A])).map { $0.bytes.count } == [0])
        #expect(throws: EmbeddingFileError.self) { try LineStream(path: FileManager.default.temporaryDirectory.path) }
        #expect(throws: EmbeddingFileError.self) { try LineStream(path: "/nonexistent/lines.txt") }
    }

    @Test("invalid UTF-8 names the line and the byte offset in the file")
    func invalidUTF8() throws {
        let path = try write(Array("__label__a fine\n__label__b caf".utf8) + [0xC3, 0x28] + Array(" bad\n".utf8))
        do {
            _ = try LabeledCorpus(contentsOf: path)
            Issue.record("expected an error")
        } catch let error as EmbeddingFileError {
            #expect(error.kind == .invalidUTF8 && error.location == .line(2))
            #expect(error.description.contains("byte 30"), "\(error)")
        }
    }

    @Test("documents come one at a time, in order, from a corpus larger than the read size")
    func manyDocuments() throws {
        var text = "\n\n"  // blank lines before the first document do not hide the fastText format
        for index in 0..<60_000 { text += "__label__\(index % 3) document number \(index) with some words\n" }
        let reader = try CorpusReader(path: try write(Array(text.utf8)))
        #expect(reader.format == .fasttext)
        var count = 0
        let skipped = try reader.forEachDocument { document in
            #expect(document.labels == ["\(count % 3)"] && document.line == count + 3)
            count += 1
        }
        #expect(count == 60_000 && skipped == 0)
    }

    @Test("a CSV record may span lines; the header and records come through the streaming parser")
    func csvAcrossLines() throws {
        let path = try write(Array("label,text\npos,\"line one\nline two, still\"\r\nneg,plain\n".utf8), suffix: ".csv")
        var documents: [LabeledDocument] = []
        try CorpusReader(path: path).forEachDocument { documents.append($0) }
        #expect(documents.map(\.text) == ["line one\nline two, still", "plain"])
        #expect(documents.map(\.line) == [2, 4])
    }

    @Test("labels and texts lose surrounding white space, Unicode spaces included, and nothing inside")
    func trimming() throws {
        let path = try write(Array(" pos\u{3000}\t\u{00A0}a  good\u{2003}film \t\n".utf8))
        var documents: [LabeledDocument] = []
        try CorpusReader(path: path, format: .tsv).forEachDocument { documents.append($0) }
        #expect(documents.map(\.labels) == [["pos"]] && documents.map(\.text) == ["a  good\u{2003}film"])
    }

    @Test("an error thrown by the caller stops the reading")
    func callerError() throws {
        struct Enough: Error {}
        let reader = try CorpusReader(path: try write(Array("a\tone\nb\ttwo\nc\tthree\n".utf8)))
        var seen = 0
        #expect(throws: Enough.self) {
            try reader.forEachDocument { _ in
                seen += 1
                if seen == 2 { throw Enough() }
            }
        }
        #expect(seen == 2)
    }
}
