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

/// The layouts a labelled corpus can have.
public enum CorpusFormat: String, Sendable, CaseIterable {
    /// fastText: `__label__a __label__b text…` per line.
    case fasttext
    /// `label<TAB>text` per line.
    case tsv
    /// CSV with a header row (RFC 4180: quoted fields, `""` escapes, newlines inside quotes); the
    /// text and label columns are named by `CorpusColumns`.
    case csv
    /// A folder with one subfolder per label and one document per file.
    case folder
}

/// Which CSV columns hold the text and the label: header names, or 1-based column numbers.
public struct CorpusColumns: Sendable, Hashable {
    /// The text column (default `text`).
    public var text: String
    /// The label column (default `label`).
    public var label: String

    /// Columns named `text` and `label` unless told otherwise.
    public init(text: String = "text", label: String = "label") {
        self.text = text
        self.label = label
    }
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

    /// Reads the corpus at `path`. Unless `format` says, a folder is read as one subfolder per
    /// label, a `.csv` file as CSV, a file whose first line starts with `__label__` as fastText,
    /// anything else as TSV.
    /// - Throws: `EmbeddingFileError` naming the file and line: unreadable, not UTF-8, a line with
    ///   an empty label or no text (under `.fail`), a CSV without the named columns, or no
    ///   documents at all.
    public init(contentsOf path: String, format: CorpusFormat? = nil, badLines: BadLinePolicy = .fail,
                columns: CorpusColumns = CorpusColumns()) throws {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        let format = format ?? (isFolder.boolValue ? .folder : path.lowercased().hasSuffix(".csv") ? .csv : nil)
        var documents: [LabeledDocument] = []
        var skipped = 0
        func add(_ parse: () throws -> LabeledDocument) throws {
            do {
                documents.append(try parse())
            } catch is EmbeddingFileError where badLines == .skip {
                skipped += 1
            }
        }
        if format == .folder {
            guard exists else { throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen, message: "cannot open") }
            for (file, label) in try CorpusFolder.files(in: path) {
                try add { try CorpusFolder.document(at: file, label: label) }
            }
        } else {
            let text = try UTF8Validation.text(ofFileAt: path)
            if format == .csv {
                for record in try CSVRecords.labeled(text, path: path, columns: columns) { try add(record) }
            } else {
                let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
                let lineFormat = format ?? (lines.first { !$0.isEmpty }?.hasPrefix("__label__") == true ? .fasttext : .tsv)
                for (offset, line) in lines.enumerated() where !line.allSatisfy(\.isWhitespace) {
                    try add { try Self.parse(line, format: lineFormat, path: path, lineNumber: offset + 1) }
                }
            }
        }
        guard !documents.isEmpty else {
            throw EmbeddingFileError(path: path, location: .file, kind: .empty, message: "the corpus holds no documents")
        }
        self.documents = documents
        skippedLines = skipped
        self.path = path
    }

    /// The corpus split in two: the documents kept and a held-out share (at least one document
    /// each while there are two), chosen at random with `generator`; each part keeps file order.
    public func split<G: RandomNumberGenerator>(holdingOut share: Double, using generator: inout G)
        -> (kept: LabeledCorpus, heldOut: LabeledCorpus) {
        precondition(share > 0 && share < 1, "split: the held-out share must be in (0, 1), got \(share)")
        var order = Array(documents.indices)
        order.shuffle(using: &generator)
        let count = min(max(1, Int((Double(documents.count) * share).rounded())), max(0, documents.count - 1))
        let heldOut = Set(order.prefix(count))
        let kept = documents.indices.filter { !heldOut.contains($0) }.map { documents[$0] }
        let held = documents.indices.filter(heldOut.contains).map { documents[$0] }
        return (LabeledCorpus(documents: kept, path: path), LabeledCorpus(documents: held, path: path))
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
        case .tsv, .csv, .folder:
            guard let tab = line.firstIndex(of: "\t") else { throw bad("expected `label<TAB>text`, found no tab") }
            let label = line[..<tab].trimmingCharacters(in: .whitespaces)
            let text = line[line.index(after: tab)...].trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty else { throw bad("an empty label") }
            guard !text.isEmpty else { throw bad("a label with no text") }
            return LabeledDocument(text: text, labels: [label], line: lineNumber)
        }
    }
}
