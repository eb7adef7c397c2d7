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

    /// Writes what is buffered; a write that fails (a full disk) ends the command with exit code 1
    /// and a message, never a trap or a silent exit 0.
    mutating func flush() {
        fflush(nil)  // anything `print` buffered goes first
        var written = 0
        while written < buffer.count {
            let result = buffer[written...].withUnsafeBytes { writeToStandardOutput($0) }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { StandardOutput.failed(errno) }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Reports a failed write to stdout and exits with code 1 (without the exit handlers, which would try again).
    static func failed(_ code: Int32) -> Never {
        StandardError.print("embkit: cannot write the results to standard output: \(String(cString: strerror(code)))")
        _exit(1)
    }

    /// Makes the process end with exit code 1 when what `print` left in stdio's buffer cannot be
    /// written (it is flushed as the process exits, where an error would go unseen). Commands
    /// that print more than stdio's buffer write through `StandardOutput`, which checks every write.
    static func checkAtExit() {
        atexit {
            if fflush(nil) != 0 { StandardOutput.failed(errno) }
        }
    }
}

/// One `write(2)` of `bytes` to file descriptor 1: the count written, or −1 with `errno` set.
private func writeToStandardOutput(_ bytes: UnsafeRawBufferPointer) -> Int {
    write(STDOUT_FILENO, bytes.baseAddress, bytes.count)
}
