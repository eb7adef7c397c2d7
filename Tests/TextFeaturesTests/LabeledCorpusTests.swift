import EmbeddingStore
import Foundation
import LinearAlgebra
import Testing
import TextFeatures

@Suite("LabeledCorpus reads fastText and TSV corpora and reports bad lines")
struct LabeledCorpusTests {
    func write(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString).txt")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test("fastText lines with one or several labels; blank lines and CRLF are fine")
    func fasttext() throws {
        let corpus = try LabeledCorpus(contentsOf: try write("__label__a __label__b two labels\r\n\n__label__c  one\n"))
        #expect(corpus.documents.map(\.labels) == [["a", "b"], ["c"]])
        #expect(corpus.documents.map(\.text) == ["two labels", "one"] && corpus.documents.map(\.line) == [1, 3])
        #expect(corpus.labels == ["a", "b", "c"])
    }

    @Test("TSV lines")
    func tsv() throws {
        let corpus = try LabeledCorpus(contentsOf: try write("pos\tgreat film\nneg\tdull\n"))
        #expect(corpus.documents.map(\.labels) == [["pos"], ["neg"]])
    }

    @Test("an empty label, a missing text or a missing tab fail with path:line, or are skipped and counted",
          arguments: ["__label__a ok\n__label__ text\n", "__label__a ok\n__label__b\n", "__label__a ok\nno label here\n"])
    func badLines(text: String) throws {
        let path = try write(text)
        do {
            _ = try LabeledCorpus(contentsOf: path)
            Issue.record("expected an error")
        } catch let error as EmbeddingFileError {
            #expect(error.location == .line(2) && error.description.hasPrefix("\(path):2: "))
        }
        let skipped = try LabeledCorpus(contentsOf: path, badLines: .skip)
        #expect(skipped.documents.count == 1 && skipped.skippedLines == 1)
        #expect(throws: EmbeddingFileError.self) { try LabeledCorpus(contentsOf: try write("a\tb\nc\t\n"), format: .tsv) }
    }

    @Test("a missing or empty corpus is an error")
    func missing() throws {
        #expect(throws: EmbeddingFileError.self) { try LabeledCorpus(contentsOf: "/nonexistent/corpus.txt") }
        #expect(throws: EmbeddingFileError.self) { try LabeledCorpus(contentsOf: try write("\n\n")) }
    }
}

@Suite("CSV and folder corpora")
struct OtherCorpusFormatTests {
    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("corpus-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test("CSV with quotes, doubled quotes, commas and newlines inside fields; columns by name or number")
    func csv() throws {
        let path = try folder().appendingPathComponent("reviews.csv")
        try Data("id,review,label\r\n1,\"Great, \"\"moving\"\"\nfilm\",pos\n2,Dull,neg\n".utf8).write(to: path)
        let corpus = try LabeledCorpus(contentsOf: path.path, columns: CorpusColumns(text: "review"))
        #expect(corpus.documents.map(\.text) == ["Great, \"moving\"\nfilm", "Dull"])
        #expect(corpus.documents.map(\.labels) == [["pos"], ["neg"]] && corpus.documents.map(\.line) == [2, 4])
        let byNumber = try LabeledCorpus(contentsOf: path.path, columns: CorpusColumns(text: "2", label: "3"))
        #expect(byNumber.documents.count == 2)
    }

    @Test("CSV errors: a missing column, an unclosed quote, a short record")
    func csvErrors() throws {
        let path = try folder().appendingPathComponent("bad.csv")
        try Data("text,label\nok,pos\n".utf8).write(to: path)
        #expect(throws: EmbeddingFileError.self) { try LabeledCorpus(contentsOf: path.path, columns: CorpusColumns(text: "body")) }
        try Data("text,label\nok,pos\n\"never closed,neg\n".utf8).write(to: path)
        do {
            _ = try LabeledCorpus(contentsOf: path.path)
            Issue.record("expected an error")
        } catch let error as EmbeddingFileError {
            #expect(error.kind == .truncated && error.location == .line(3))
        }
        try Data("text,label\nok,pos\nshort\n".utf8).write(to: path)
        #expect(try LabeledCorpus(contentsOf: path.path, badLines: .skip).skippedLines == 1)
    }

    @Test("a folder per class, one document per file; empty files are bad documents")
    func folders() throws {
        let root = try folder()
        for (label, files) in [("pos", ["a.txt": "great film", "b.txt": "loved it"]), ("neg", ["c.txt": "dull", "d.txt": "  "])] {
            let sub = root.appendingPathComponent(label)
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            for (name, text) in files { try Data(text.utf8).write(to: sub.appendingPathComponent(name)) }
        }
        #expect(throws: EmbeddingFileError.self) { try LabeledCorpus(contentsOf: root.path) }
        let corpus = try LabeledCorpus(contentsOf: root.path, badLines: .skip)
        #expect(corpus.documents.map(\.labels) == [["neg"], ["pos"], ["pos"]] && corpus.skippedLines == 1)
        #expect(corpus.documents.map(\.text) == ["dull", "great film", "loved it"])
    }
}

@Suite("Held-out splits")
struct CorpusSplitTests {
    @Test("a seeded split holds out the share asked for, keeps order and loses nothing")
    func split() {
        let corpus = LabeledCorpus(documents: (0..<100).map { LabeledDocument(text: "doc \($0)", labels: ["l"], line: $0 + 1) })
        var first = SplitMix64(seed: 4), second = SplitMix64(seed: 4)
        let (kept, held) = corpus.split(holdingOut: 0.1, using: &first)
        #expect(kept.documents.count == 90 && held.documents.count == 10)
        #expect(Set(kept.documents.map(\.line)).union(held.documents.map(\.line)).count == 100)
        #expect(kept.documents.map(\.line) == kept.documents.map(\.line).sorted())
        #expect(corpus.split(holdingOut: 0.1, using: &second).heldOut.documents == held.documents)
    }
}
