import ArgumentParser
import EmbeddingStore
import Foundation
import LinearAlgebra

/// The options every command that opens a vector file shares.
struct EmbeddingFileOptions: ParsableArguments {
    @Option(help: "The file format: word2vec-binary, word2vec-text, glove, fasttext-vec, native, or auto.")
    var format: String = "auto"

    @Flag(help: "Replace invalid UTF-8 in words with U+FFFD instead of failing.")
    var lossyUTF8 = false

    @Flag(help: "Load NaN and infinite values instead of rejecting them.")
    var allowNonFinite = false

    @Flag(help: "Keep a native copy beside a text or gzip file (FILE.ekv) and open it instead while FILE is unchanged.")
    var cache = false

    @Flag(help: "Look words up as given, else lowercased (`King` finds `king` in all-lowercase files such as GloVe).")
    var ignoreCase = false

    @Flag(help: "Require exact searches: refuse a compact (f16/int8) file that has no float32 copy to re-rank with.")
    var exact = false

    @OptionGroup var progressOptions: ProgressOptions

    /// The load options these flags describe.
    private func loadOptions() throws -> LoadOptions {
        LoadOptions(format: try EmbeddingFormat.parse(option: format), textDecoding: lossyUTF8 ? .lossy : .strict,
                    nonFiniteValues: allowNonFinite ? .allow : .reject, caseMatching: ignoreCase ? .lowercasedFallback : .exact,
                    cache: cache ? .beside : .off)
    }

    /// Opens `path` with these options, showing progress on a terminal; a file error is printed
    /// as `path:line: message` and ends the command with exit code 1.
    func load(_ path: String) throws -> WordEmbeddings {
        var options = try loadOptions()
        let progress = ProgressLine("loading \(path)")
        options.progress = progress.update
        defer { progress.finish() }
        let embeddings = try reportingFileErrors { try WordEmbeddings(contentsOf: path, options: options) }
        if exact && !embeddings.searchesAreExact {
            StandardError.print("embkit: \(path): --exact, but this \(embeddings.precision) file has no float32 copy "
                + "(searches are within \(embeddings.cosineErrorBound) of float32 cosines; convert with --keep-float32)")
            throw ExitCode.failure
        }
        return embeddings
    }
}

extension EmbeddingFormat {
    /// The format named on the command line; nil for `auto`.
    static func parse(option name: String) throws -> EmbeddingFormat? {
        if name == "auto" { return nil }
        guard let format = EmbeddingFormat(rawValue: name) else {
            let names = EmbeddingFormat.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError("unknown format '\(name)'; expected auto, \(names)")
        }
        return format
    }
}

/// Runs `body`, turning an error about a file (vectors, models, images, ONNX) into its
/// `path:line: message` or `path: byte N: message` on stderr and exit code 1.
func reportingFileErrors<R>(_ body: () throws -> R) throws -> R {
    do {
        return try body()
    } catch let error as any LocatedError {
        StandardError.print("embkit: \(error)")
        throw ExitCode.failure
    }
}

/// Messages for stderr; results go to stdout.
enum StandardError {
    static func print(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// Buffered writing to stdout for commands that print many lines.
struct StandardOutput {
    private var buffer: [UInt8] = []

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count > 1 << 16 { flush() }
    }

    mutating func flush() {
        FileHandle.standardOutput.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }
}
