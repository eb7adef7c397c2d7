import EmbeddingStore
import Foundation
import Testing

@Suite("Writers and readers round-trip every vector bit for bit")
struct RoundTripTests {
    static let writable: [EmbeddingFormat] = [.native, .word2vecBinary, .word2vecText, .glove, .fasttextVec]

    func expectIdentical(_ a: WordEmbeddings, _ b: WordEmbeddings, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(Array(a.vocabulary) == Array(b.vocabulary), sourceLocation: sourceLocation)
        #expect(a.dimensions == b.dimensions, sourceLocation: sourceLocation)
        let same = (0..<min(a.count, b.count)).allSatisfy { a.vector(at: $0).map(\.bitPattern) == b.vector(at: $0).map(\.bitPattern) }
        #expect(same, sourceLocation: sourceLocation)
    }

    @Test("text → native → word2vec binary → word2vec text → GloVe → .vec → native", arguments: GensimAgreementTests.fixtures)
    func chain(fixture: String) throws {
        let original = try WordEmbeddings(contentsOf: TestFiles.fixture(fixture))
        let folder = try TestFiles.scratchFolder()
        var current = original
        for (step, format) in (Self.writable + [.native]).enumerated() {
            let path = folder.appendingPathComponent("step\(step).\(format.rawValue)").path
            try VectorFileWriter.write(current, to: path, as: format)
            current = try WordEmbeddings(contentsOf: path, options: LoadOptions(format: format))
            expectIdentical(current, original)
        }
    }

    @Test("a native file opens mapped, keeps its origin, and finds every word through its stored index")
    func native() throws {
        let original = try WordEmbeddings(contentsOf: TestFiles.fixture("crime-and-punishment.vec"))
        let path = try TestFiles.scratchFolder().appendingPathComponent("c.ekv").path
        try VectorFileWriter.write(original, to: path, as: .native)
        let native = try WordEmbeddings(contentsOf: path)
        #expect(native.metadata.format == .native && native.metadata.originalFormat == .fasttextVec)
        for index in 0..<original.count {
            #expect(native.index(of: original.vocabulary.word(at: index)) == index)
        }
        #expect(native.vector(for: "no-such-word") == nil)
        native.withRow(at: 0) { #expect(Int(bitPattern: $0) % 64 == 0, "the matrix starts 64-byte aligned") }
    }

    @Test("writing with a limit keeps the first rows; nothing is left behind when writing fails")
    func limitAndAtomicity() throws {
        let original = try WordEmbeddings(contentsOf: TestFiles.fixture("lee_fasttext.vec"))
        let folder = try TestFiles.scratchFolder()
        let path = folder.appendingPathComponent("small.bin").path
        try VectorFileWriter.write(original, to: path, as: .word2vecBinary, limit: 5)
        let small = try WordEmbeddings(contentsOf: path)
        #expect(small.count == 5 && Array(small.vocabulary) == Array(original.vocabulary.prefix(5)))
        let limited = try WordEmbeddings(contentsOf: TestFiles.fixture("lee_fasttext.vec"), options: LoadOptions(limit: 7))
        #expect(limited.count == 7)

        let unwritable = folder.appendingPathComponent("missing-folder/out.bin").path
        #expect(throws: EmbeddingFileError.self) { try VectorFileWriter.write(original, to: unwritable, as: .word2vecBinary) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["small.bin"])
    }
}

@Suite("Vocabulary policies: duplicates, stray newlines, case fallback")
struct VocabularyPolicyTests {
    @Test("duplicate words keep their first row and are counted")
    func duplicates() throws {
        let path = try TestFiles.write("3 2\nw 1 2\nx 3 4\nw 5 6\n", named: "dup.txt")
        let embeddings = try WordEmbeddings(contentsOf: path)
        #expect(embeddings.count == 2 && embeddings.metadata.duplicateCount == 1)
        #expect(embeddings.vector(for: "w") == [1, 2] && embeddings.vector(for: "x") == [3, 4])
        let binary = try TestFiles.write(word2vecBinary([("w", [1]), ("w", [2]), ("y", [3])]), named: "dup.bin")
        let fromBinary = try WordEmbeddings(contentsOf: binary)
        #expect(Array(fromBinary.vocabulary) == ["w", "y"] && fromBinary.vector(for: "y") == [3])
    }

    @Test("binary rows with and without newlines, and stray newlines before words")
    func binaryRowSeparators() throws {
        let rows: [(String, [Float])] = [("a", [1, 2]), ("b", [3, 4])]
        for separator: [UInt8] in [[], [0x0A], [0x0A, 0x0A]] {
            let path = try TestFiles.write(word2vecBinary(rows, separator: separator), named: "rows.bin")
            let embeddings = try WordEmbeddings(contentsOf: path)
            #expect(Array(embeddings.vocabulary) == ["a", "b"], "separator \(separator)")
            #expect(embeddings.vector(for: "b") == [3, 4])
        }
    }

    @Test("lowercased fallback is an explicit option")
    func caseFallback() throws {
        let path = try TestFiles.write("king 1 2\nqueen 3 4\n", named: "case.txt")
        #expect(try WordEmbeddings(contentsOf: path).vector(for: "King") == nil)
        let folded = try WordEmbeddings(contentsOf: path, options: LoadOptions(caseMatching: .lowercasedFallback))
        #expect(folded.vector(for: "King") == [1, 2])
    }
}

@Suite("The native cache beside a text file")
struct NativeCacheTests {
    @Test("is written on first load, used while the source is unchanged, and rebuilt when it changes")
    func lifecycle() throws {
        let path = try TestFiles.write("2 2\na 1 2\nb 3 4\n", named: "cached.txt")
        let options = LoadOptions(cache: .beside)
        let first = try WordEmbeddings(contentsOf: path, options: options)
        #expect(first.metadata.cacheStatus == .written)
        #expect(FileManager.default.fileExists(atPath: WordEmbeddings.cachePath(for: path)))
        let second = try WordEmbeddings(contentsOf: path, options: options)
        #expect(second.metadata.cacheStatus == .hit && second.metadata.format == .native)
        #expect(second.vector(for: "b") == [3, 4])

        try Data("2 2\na 1 2\nb 5 6\n".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 60)], ofItemAtPath: path)
        let third = try WordEmbeddings(contentsOf: path, options: options)
        #expect(third.metadata.cacheStatus == .written && third.vector(for: "b") == [5, 6])
        #expect(try WordEmbeddings(contentsOf: path, options: options).vector(for: "b") == [5, 6])
    }
}
