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

/// A labelled corpus in memory: the documents a `CorpusReader` read.
public struct LabeledCorpus: Sendable {
    /// The documents in file order.
    public let documents: [LabeledDocument]
    /// Lines left out under `BadLinePolicy.skip`.
    public let skippedLines: Int
    /// The path read.
    public let path: String

    /// Every label that occurs, sorted.
    public var labels: [String] { Array(Set(documents.flatMap(\.labels))).sorted() }

    /// Reads the corpus at `path` (see `CorpusReader` for how the format is detected).
    /// - Throws: `EmbeddingFileError` naming the file and line: unreadable, not UTF-8, a line with
    ///   an empty label or no text (under `.fail`), a CSV without the named columns, or no
    ///   documents at all.
    public init(contentsOf path: String, format: CorpusFormat? = nil, badLines: BadLinePolicy = .fail,
                columns: CorpusColumns = CorpusColumns()) throws {
        let reader = try CorpusReader(path: path, format: format, badLines: badLines, columns: columns)
        var documents: [LabeledDocument] = []
        skippedLines = try reader.forEachDocument { documents.append($0) }
        guard !documents.isEmpty else {
            throw EmbeddingFileError(path: path, location: .file, kind: .empty, message: "the corpus holds no documents")
        }
        self.documents = documents
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
}
