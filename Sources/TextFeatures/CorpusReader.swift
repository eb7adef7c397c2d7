import EmbeddingStore
import Foundation

/// Reads a labelled corpus one document at a time: files line by line (`LineStream`), a folder
/// file by file, so memory does not grow with the corpus. `LabeledCorpus` collects what it reads;
/// `embkit test` scores documents as they come.
public struct CorpusReader: Sendable {
    /// The corpus path.
    public let path: String
    /// Its layout, as given or detected.
    public let format: CorpusFormat
    /// What happens to malformed lines.
    public let badLines: BadLinePolicy
    /// The CSV columns with the text and the label.
    public let columns: CorpusColumns

    /// A reader of the corpus at `path`. Unless `format` says, a folder is read as one subfolder
    /// per label, a `.csv` file as CSV, a file whose first non-blank line starts with `__label__`
    /// as fastText, anything else as TSV.
    /// - Throws: `EmbeddingFileError` when the path cannot be opened.
    public init(path: String, format: CorpusFormat? = nil, badLines: BadLinePolicy = .fail,
                columns: CorpusColumns = CorpusColumns()) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen, message: "cannot open")
        }
        if let format {
            self.format = format
        } else if isFolder.boolValue {
            self.format = .folder
        } else if path.lowercased().hasSuffix(".csv") {
            self.format = .csv
        } else {
            var lines = try LineStream(path: path)
            var first: LineStream.Line?
            while first == nil, let line = lines.next() {
                if !line.bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { first = line }
            }
            self.format = first.map { $0.bytes.starts(with: "__label__".utf8) } == true ? .fasttext : .tsv
        }
        self.path = path
        self.badLines = badLines
        self.columns = columns
    }

    /// Calls `body` with each document in file order (folders: subfolders and files in sorted
    /// order) and returns how many malformed lines were skipped under `BadLinePolicy.skip`.
    /// - Throws: `EmbeddingFileError` naming the file and line: not UTF-8, a line with an empty
    ///   label or no text (under `.fail`), a CSV without the named columns or with an unclosed
    ///   quote; and whatever `body` throws.
    @discardableResult
    public func forEachDocument(_ body: (LabeledDocument) throws -> Void) throws -> Int {
        var skipped = 0
        func add(_ parse: () throws -> LabeledDocument) throws {
            let document: LabeledDocument
            do {
                document = try parse()
            } catch is EmbeddingFileError where badLines == .skip {
                skipped += 1
                return
            }
            try body(document)
        }
        switch format {
        case .folder:
            for (file, label) in try CorpusFolder.files(in: path) {
                try add { try CorpusFolder.document(at: file, label: label) }
            }
        case .csv:
            var lines = try LineStream(path: path)
            var records = CSVRecordParser()
            var header: CSVHeader?
            while let line = try lines.nextText() {
                guard let record = records.add(line.text, lineNumber: line.number) else { continue }
                if let header {
                    try add { try header.document(record, path: path) }
                } else {
                    header = try CSVHeader(record, columns: columns, path: path)
                }
            }
            try records.finish(path: path)
        case .fasttext, .tsv:
            // Invalid UTF-8 makes a line malformed, skipped like any other under `.skip`.
            var lines = try LineStream(path: path)
            while let line = lines.next() {
                guard !line.bytes.allSatisfy({ $0 == 0x20 || (0x09...0x0D).contains($0) }) else { continue }
                try add { try Self.parse(try line.text(in: path)[...], format: format, path: path, lineNumber: line.number) }
            }
        }
        return skipped
    }

    /// One fastText or TSV line as a document.
    static func parse(_ line: Substring, format: CorpusFormat, path: String, lineNumber: Int) throws -> LabeledDocument {
        func bad(_ message: String) -> EmbeddingFileError {
            EmbeddingFileError(path: path, location: .line(lineNumber), kind: .badHeader, message: message)
        }
        if format == .fasttext {
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
            let text = rest.trimmingWhitespace()
            guard !text.isEmpty else { throw bad("a label with no text") }
            return LabeledDocument(text: text, labels: labels, line: lineNumber)
        }
        guard let tab = line.firstIndex(of: "\t") else { throw bad("expected `label<TAB>text`, found no tab") }
        let label = line[..<tab].trimmingWhitespace()
        let text = line[line.index(after: tab)...].trimmingWhitespace()
        guard !label.isEmpty else { throw bad("an empty label") }
        guard !text.isEmpty else { throw bad("a label with no text") }
        return LabeledDocument(text: text, labels: [label], line: lineNumber)
    }
}
