import EmbeddingStore
import Foundation
import LinearAlgebra

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

/// Labelled documents that can be read more than once, one document at a time: a corpus in
/// memory, or a corpus file that a `CorpusReader` reads again on every pass.
public protocol DocumentSource {
    /// Where the documents come from (for messages).
    var path: String { get }
    /// Calls `body` with each document in order and returns how many malformed lines were skipped.
    /// - Throws: what reading throws (naming the file and line), and what `body` throws.
    @discardableResult
    func forEachDocument(_ body: (LabeledDocument) throws -> Void) throws -> Int
}

extension CorpusReader: DocumentSource {}

extension LabeledCorpus: DocumentSource {
    /// Calls `body` with each document in order; returns 0 (nothing is skipped on a second read).
    @discardableResult
    public func forEachDocument(_ body: (LabeledDocument) throws -> Void) throws -> Int {
        for document in documents { try body(document) }
        return 0
    }

    /// The corpus split by `selection`: the documents kept and those it holds out, each in order.
    public func split(by selection: HeldOutSelection) -> (kept: LabeledCorpus, heldOut: LabeledCorpus) {
        var kept: [LabeledDocument] = [], held: [LabeledDocument] = []
        for (ordinal, document) in documents.enumerated() {
            if selection.holdsOut(ordinal) { held.append(document) } else { kept.append(document) }
        }
        return (LabeledCorpus(documents: kept, path: path), LabeledCorpus(documents: held, path: path))
    }

    /// The documents to train on and the validation data: without `selection`, all of them and
    /// `validation`; with it, those it keeps, and those it holds out in place of `validation`
    /// (unless it holds out none).
    public func holdingOut(_ selection: HeldOutSelection?, validation: LabeledCorpus?) -> (training: LabeledCorpus, validation: LabeledCorpus?) {
        guard let selection else { return (self, validation) }
        let parts = split(by: selection)
        return (parts.kept, parts.heldOut.documents.isEmpty ? validation : parts.heldOut)
    }
}

/// Which documents a validation split holds out, decided for each document by its position alone,
/// so that a corpus read in one pass (never in memory as a whole) is split the same way on every
/// pass: document i is held out when a hash of the seed and i falls below `share`.
public struct HeldOutSelection: Sendable, Hashable {
    /// The expected share of documents held out, in (0, 1).
    public let share: Double
    /// The seed of the hash.
    public let seed: UInt64

    /// A selection of about `share` of the documents.
    /// - Precondition: `share` is in (0, 1).
    public init(share: Double, seed: UInt64) {
        precondition(share > 0 && share < 1, "HeldOutSelection: the share must be in (0, 1), got \(share)")
        self.share = share
        self.seed = seed
    }

    /// Whether the document at 0-based position `ordinal` is held out.
    public func holdsOut(_ ordinal: Int) -> Bool {
        var hash = SplitMix64(seed: seed ^ (UInt64(truncatingIfNeeded: ordinal) &* 0xD1B5_4A32_D192_ED03))
        return Double(hash.next() >> 11) / Double(1 << 53) < share
    }
}

extension LabeledCorpus {
    /// Reads the corpus at the file URL `url`, as `init(contentsOf:format:badLines:columns:)` does its path.
    /// - Throws: `EmbeddingFileError`, also for a URL that is not a file URL.
    public init(contentsOf url: URL, format: CorpusFormat? = nil, badLines: BadLinePolicy = .fail,
                columns: CorpusColumns = CorpusColumns()) throws {
        try self.init(contentsOf: try url.filePath(), format: format, badLines: badLines, columns: columns)
    }
}
