import EmbeddingStore
import Foundation
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
