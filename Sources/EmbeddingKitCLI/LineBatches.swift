import Foundation
import TextFeatures

/// Reads `file` (stdin for `-`) and calls `body` with its lines in batches of up to `size`,
/// showing progress by bytes read for a regular file (stdin's size is not known). Invalid UTF-8
/// stops at its line — the lines before it are handed to `body` first, then the error naming the
/// line is printed and the command exits 1 — unless `lossyUTF8` replaces such bytes with U+FFFD.
/// - Throws: `ExitCode.failure` for an unreadable file or invalid UTF-8; what `body` throws.
func forEachBatchOfLines(in file: String, size: Int, lossyUTF8: Bool, progressLabel: String, _ body: ([String]) throws -> Void) throws {
    var lines = try reportingFileErrors { try LineStream(path: file) }
    let bytes = file == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).flatMap { $0 }
    let progress = ProgressLine(progressLabel)
    defer { progress.finish() }
    var batch: [String] = [], read = 0
    func flush() throws {
        if let bytes, bytes > 0 { progress.update(min(1, Double(read) / Double(bytes))) }
        try body(batch)
        batch.removeAll(keepingCapacity: true)
    }
    while let line = lines.next() {
        guard let text = lossyUTF8 ? String(decoding: line.bytes, as: UTF8.self) : try? line.text(in: file) else {
            if !batch.isEmpty { try flush() }
            return try reportingFileErrors { _ = try line.text(in: file) }
        }
        batch.append(text)
        read = line.offset + line.bytes.count
        if batch.count == size { try flush() }
    }
    if !batch.isEmpty { try flush() }
}
