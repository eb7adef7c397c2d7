import EmbeddingStore
import Foundation

/// RFC 4180 CSV: records of comma-separated fields; a quoted field may hold commas, newlines and
/// `""` for a quote. The first record is the header.
enum CSVRecords {
    /// The records of `text` with the 1-based line each starts on.
    /// - Throws: `.truncated` for a quote that is never closed, naming the line it opened on.
    static func records(_ text: String, path: String) throws -> [(fields: [String], line: Int)] {
        var records: [(fields: [String], line: Int)] = []
        var fields: [String] = [], field = ""
        var line = 1, recordLine = 1, quoted = false, afterQuote = false
        var scalars = text.unicodeScalars.makeIterator()
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((fields, recordLine)) }
            fields = []
            field = ""
        }
        while let scalar = scalars.next() {
            if quoted {
                if scalar == "\"" {
                    quoted = false
                    afterQuote = true
                } else {
                    if scalar == "\n" { line += 1 }
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
            case "\n":
                endRecord()
                line += 1
                recordLine = line
                afterQuote = false
            default:
                field.unicodeScalars.append(scalar)
                afterQuote = false
            }
        }
        guard !quoted else {
            throw EmbeddingFileError(path: path, location: .line(recordLine), kind: .truncated,
                                     message: "a quoted field opened in this record is never closed")
        }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// Parsers of each data record into a document, using the header to find the columns.
    static func labeled(_ text: String, path: String, columns: CorpusColumns) throws -> [() throws -> LabeledDocument] {
        let records = try records(text, path: path)
        guard let header = records.first else { return [] }
        func column(_ name: String) throws -> Int {
            if let index = header.fields.firstIndex(of: name) { return index }
            if let number = Int(name), number >= 1, number <= header.fields.count { return number - 1 }
            throw EmbeddingFileError(path: path, location: .line(header.line), kind: .badHeader,
                                     message: "no column '\(name)' in the header (\(header.fields.joined(separator: ", ")))")
        }
        let textColumn = try column(columns.text), labelColumn = try column(columns.label)
        return records.dropFirst().map { record in
            {
                func bad(_ message: String) -> EmbeddingFileError {
                    EmbeddingFileError(path: path, location: .line(record.line), kind: .raggedRow, message: message)
                }
                guard record.fields.count == header.fields.count else {
                    throw bad("expected \(header.fields.count) fields as in the header, found \(record.fields.count)")
                }
                let label = record.fields[labelColumn].trimmingCharacters(in: .whitespaces)
                let text = record.fields[textColumn].trimmingCharacters(in: .whitespacesAndNewlines)
                guard !label.isEmpty else { throw bad("an empty label") }
                guard !text.isEmpty else { throw bad("a label with no text") }
                return LabeledDocument(text: text, labels: [label], line: record.line)
            }
        }
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
        let text = try UTF8Validation.text(ofFileAt: path).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            throw EmbeddingFileError(path: path, location: .file, kind: .empty, message: "an empty document")
        }
        return LabeledDocument(text: text, labels: [label], line: 0)
    }
}
