import ArgumentParser
import EmbeddingStore
import Foundation

/// Writes an SVG picture to `path` atomically; a failure is printed and ends the command with exit code 1.
func writePlot(_ svg: String, to path: String) throws {
    try reportingFileErrors {
        let writer = try AtomicFileWriter(path: path)
        try Array(svg.utf8).withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }
    if !ProgressLine.silenced.load(ordering: .relaxed) { StandardError.print("embkit: wrote \(path)") }
}

/// `--plot`'s rule: an SVG file name.
func validatePlotPath(_ path: String?) throws {
    if let path, !path.lowercased().hasSuffix(".svg") {
        throw ValidationError("--plot writes SVG: give a file name ending in .svg")
    }
}
