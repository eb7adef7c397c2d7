import EmbeddingStore
import Foundation

/// One document and its labels (several for multi-label data).
public struct LabeledDocument: Sendable, Hashable {
    /// The document text.
    public var text: String
    /// Its labels, without any `__label__` prefix.
    public var labels: [String]
    /// Where it came from: 1-based line of a text corpus, 0 for other sources.
    public var line: Int

    /// A document with its labels.
    public init(text: String, labels: [String], line: Int = 0) {
        self.text = text
        self.labels = labels
        self.line = line
    }
}

/// The layouts a labelled corpus file can have.
public enum CorpusFormat: String, Sendable, CaseIterable {
    /// fastText: `__label__a __label__b text…` per line.
    case fasttext
    /// `label<TAB>text` per line.
    case tsv
}

/// What happens to a malformed line (an empty label, no text).
public enum BadLinePolicy: String, Sendable, CaseIterable {
    /// Stop with an error naming the line.
    case fail
    /// Leave the line out and count it in `LabeledCorpus.skippedLines`.
    case skip
}

/// A labelled corpus read from a fastText-format or TSV file.
public struct LabeledCorpus: Sendable {
    /// The documents in file order.
    public let documents: [LabeledDocument]
    /// Lines left out under `BadLinePolicy.skip`.
    public let skippedLines: Int
    /// The path read.
    public let path: String

    /// Every label that occurs, sorted.
    public var labels: [String] { Array(Set(documents.flatMap(\.labels))).sorted() }

    /// Reads the corpus at `path`; the format is fastText when the first non-empty line starts
    /// with `__label__`, else TSV, unless `format` says.
    /// - Throws: `EmbeddingFileError` naming the file and line: unreadable, not UTF-8, a line
    ///   with an empty label or no text (under `.fail`), or no documents at all.
    public init(contentsOf path: String, format: CorpusFormat? = nil, badLines: BadLinePolicy = .fail) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen, message: "cannot open")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw EmbeddingFileError(path: path, location: .file, kind: .invalidUTF8, message: "the corpus is not valid UTF-8")
        }
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        let format = format ?? (lines.first { !$0.isEmpty }?.hasPrefix("__label__") == true ? .fasttext : .tsv)
        var documents: [LabeledDocument] = []
        var skipped = 0
        for (offset, rawLine) in lines.enumerated() {
            let line = rawLine
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                documents.append(try Self.parse(line, format: format, path: path, lineNumber: offset + 1))
            } catch let error as EmbeddingFileError where badLines == .skip {
                _ = error
                skipped += 1
            }
        }
        guard !documents.isEmpty else {
            throw EmbeddingFileError(path: path, location: .file, kind: .empty, message: "the corpus holds no documents")
        }
        self.documents = documents
        skippedLines = skipped
        self.path = path
    }

    /// A corpus of documents already in memory.
    public init(documents: [LabeledDocument], path: String = "") {
        self.documents = documents
        skippedLines = 0
        self.path = path
    }

    private static func parse(_ line: Substring, format: CorpusFormat, path: String, lineNumber: Int) throws -> LabeledDocument {
        func bad(_ message: String) -> EmbeddingFileError {
            EmbeddingFileError(path: path, location: .line(lineNumber), kind: .badHeader, message: message)
        }
        switch format {
        case .fasttext:
            var labels: [String] = []
            var rest = line[...]
            while true {
                rest = rest.drop { $0 == " " || $0 == "\t" }
                guard rest.hasPrefix("__label__") else { break }
                let token = rest.prefix { $0 != " " && $0 != "\t" }
                let label = token.dropFirst("__label__".count)
                guard !label.isEmpty else { throw bad("an empty label (`__label__` with no name)") }
                labels.append(String(label))
                rest = rest.dropFirst(token.count)
            }
            guard !labels.isEmpty else { throw bad("no `__label__` at the start of the line") }
            let text = rest.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw bad("a label with no text") }
            return LabeledDocument(text: text, labels: labels, line: lineNumber)
        case .tsv:
            guard let tab = line.firstIndex(of: "\t") else { throw bad("expected `label<TAB>text`, found no tab") }
            let label = line[..<tab].trimmingCharacters(in: .whitespaces)
            let text = line[line.index(after: tab)...].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else { throw bad("an empty label") }
            guard !text.isEmpty else { throw bad("a label with no text") }
            return LabeledDocument(text: text, labels: [label], line: lineNumber)
        }
    }
}
