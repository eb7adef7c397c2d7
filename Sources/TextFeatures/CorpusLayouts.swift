import EmbeddingStore
import Foundation

/// RFC 4180 CSV read a line at a time: records of comma-separated fields; a quoted field may hold
/// commas, `""` for a quote, and line breaks, so one record may span several lines.
struct CSVRecordParser {
    private var fields: [String] = []
    private var field = ""
    private var quoted = false
    private var afterQuote = false
    private var recordLine = 0

    /// Adds the next line (without its line break) and returns the record it completes with the
    /// line that record starts on; nil while a quoted field goes on to the next line, and for a
    /// blank line.
    mutating func add(_ line: String, lineNumber: Int) -> (fields: [String], line: Int)? {
        if !quoted { recordLine = lineNumber }
        for scalar in line.unicodeScalars {
            if quoted {
                if scalar == "\"" {
                    quoted = false
                    afterQuote = true
                } else {
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where afterQuote:
                field.unicodeScalars.append("\"")  // a doubled quote inside a quoted field
                quoted = true
                afterQuote = false
            case "\"" where field.isEmpty:
                quoted = true
            case ",":
                fields.append(field)
                field = ""
                afterQuote = false
            case "\r":
                afterQuote = false
            default:
                field.unicodeScalars.append(scalar)
                afterQuote = false
            }
        }
        if quoted {
            field.unicodeScalars.append("\n")
            return nil
        }
        fields.append(field)
        defer {
            fields = []
            field = ""
            afterQuote = false
        }
        return fields == [""] ? nil : (fields, recordLine)
    }

    /// Checks the input did not end inside a quoted field.
    /// - Throws: `.truncated`, naming the line the unclosed record opened on.
    func finish(path: String) throws {
        guard !quoted else {
            throw EmbeddingFileError(path: path, location: .line(recordLine), kind: .truncated,
                                     message: "a quoted field opened in this record is never closed")
        }
    }
}

/// A CSV corpus's header: which fields hold the text and the label.
struct CSVHeader {
    let fieldCount: Int
    let textColumn: Int
    let labelColumn: Int

    /// Finds `columns` in the header record, by name or 1-based number.
    /// - Throws: `.badHeader` when a column is missing.
    init(_ header: (fields: [String], line: Int), columns: CorpusColumns, path: String) throws {
        func column(_ name: String) throws -> Int {
            if let index = header.fields.firstIndex(of: name) { return index }
            if let number = Int(name), number >= 1, number <= header.fields.count { return number - 1 }
            throw EmbeddingFileError(path: path, location: .line(header.line), kind: .badHeader,
                                     message: "no column '\(name)' in the header (\(header.fields.joined(separator: ", ")))")
        }
        fieldCount = header.fields.count
        textColumn = try column(columns.text)
        labelColumn = try column(columns.label)
    }

    /// A data record as a document.
    /// - Throws: `.raggedRow` for a record with another number of fields, an empty label or no text.
    func document(_ record: (fields: [String], line: Int), path: String) throws -> LabeledDocument {
        func bad(_ message: String) -> EmbeddingFileError {
            EmbeddingFileError(path: path, location: .line(record.line), kind: .raggedRow, message: message)
        }
        guard record.fields.count == fieldCount else {
            throw bad("expected \(fieldCount) fields as in the header, found \(record.fields.count)")
        }
        let label = record.fields[labelColumn].trimmingWhitespace()
        let text = record.fields[textColumn].trimmingWhitespace()
        guard !label.isEmpty else { throw bad("an empty label") }
        guard !text.isEmpty else { throw bad("a label with no text") }
        return LabeledDocument(text: text, labels: [label], line: record.line)
    }
}

/// A folder with one subfolder per label and one document per file.
enum CorpusFolder {
    /// Every non-hidden regular file with its label (its subfolder's name), in sorted order.
    static func files(in folder: String) throws -> [(path: String, label: String)] {
        let manager = FileManager.default
        var files: [(String, String)] = []
        for label in try manager.contentsOfDirectory(atPath: folder).sorted() where !label.hasPrefix(".") {
            let subfolder = (folder as NSString).appendingPathComponent(label)
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: subfolder, isDirectory: &isFolder), isFolder.boolValue else { continue }
            for name in try manager.contentsOfDirectory(atPath: subfolder).sorted() where !name.hasPrefix(".") {
                files.append(((subfolder as NSString).appendingPathComponent(name), label))
            }
        }
        return files
    }

    /// The whole file as one document with `label`.
    static func document(at path: String, label: String) throws -> LabeledDocument {
        let text = try UTF8Validation.text(ofFileAt: path).trimmingWhitespace()
        guard !text.isEmpty else {
            throw EmbeddingFileError(path: path, location: .file, kind: .empty, message: "an empty document")
        }
        return LabeledDocument(text: text, labels: [label], line: 0)
    }
}
