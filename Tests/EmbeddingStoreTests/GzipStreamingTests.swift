import Foundation
import Testing

@testable import EmbeddingStore

/// Gzips `text` with the system's gzip into a scratch file and returns its path.
func gzipped(_ text: String, named name: String) throws -> String {
    let path = try TestFiles.write(text, named: name)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", "gzip '\(path)'"]
    try process.run()
    process.waitUntilExit()
    return path + ".gz"
}

@Suite("Streaming gzip text reads like the plain file")
struct GzipStreamingTests {
    static let badTexts: [(String, String)] = [
        ("a 1 2 3\nb 4 5\nc 6 7 8\n", "ragged.txt"),
        ("3 2\na 1 2\nb 3 4\n", "short.txt"),
        ("1 2\na 1 2\nb 3 4\n", "long.txt"),
        ("a 1 2\n\nb 3 4\n", "gap.txt"),
        ("2 2\na 1 2\nb 3 x4\n", "junk.txt"),
        ("a 1 2\nb nan 3\n", "nan.txt"),
        ("two words\n", "header.vec"),
    ]

    @Test("bad rows give the same error kind and line as the plain file", arguments: badTexts)
    func sameErrors(text: String, name: String) throws {
        let plain = loadError(try TestFiles.write(text, named: name))
        let compressed = loadError(try gzipped(text, named: name))
        #expect(plain?.kind == compressed?.kind && plain?.location == compressed?.location,
                "plain \(String(describing: plain)) vs gzip \(String(describing: compressed))")
    }

    @Test("tiny blocks split lines anywhere and still give every row, bit for bit")
    func tinyBlocks() throws {
        let source = TestFiles.fixture("lee_fasttext.vec")
        let path = try gzipped(try String(contentsOfFile: source, encoding: .utf8), named: "lee.vec")
        let file = try MappedFile(path: path)
        let reader = TextVectorReader(path: path, format: .fasttextVec, options: LoadOptions())
        let streamed = try reader.read(streaming: GzipLineBlocks(file: file, blockSize: 777, depth: 2), compressedSize: file.count)
        let plain = try WordEmbeddings(contentsOf: source)
        #expect(Array(streamed.vocabulary) == Array(plain.vocabulary))
        #expect((0..<plain.count).allSatisfy { streamed.vector(at: $0) == plain.vector(at: $0) })
    }

    @Test("limit, duplicates and trailing blank lines behave as for plain files")
    func policies() throws {
        let path = try gzipped("3 2\nw 1 2\nx 3 4\nw 5 6\n\n\n", named: "dup.vec")
        let all = try WordEmbeddings(contentsOf: path)
        #expect(Array(all.vocabulary) == ["w", "x"] && all.metadata.duplicateCount == 1 && all.metadata.wasCompressed)
        let limited = try WordEmbeddings(contentsOf: path, options: LoadOptions(limit: 1))
        #expect(limited.count == 1 && limited.vector(for: "w") == [1, 2])
    }
}
