import ArgumentParser
import Foundation
import EmbeddingStore

/// `embkit convert IN OUT`: rewrite a vector file in another format, atomically.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert between vector formats (word2vec binary/text, GloVe, fastText .vec, native).",
        discussion: "The output format comes from --to, else from OUT's extension: .bin → word2vec-binary, "
            + ".txt → word2vec-text, .vec → fasttext-vec, .ekv → native. The output appears only when complete.")

    @Argument(help: "The input vector file.")
    var input: String

    @Argument(help: "The output file.")
    var output: String

    @Option(help: "The input format (default: detected).")
    var from: String = "auto"

    @Option(help: "The output format (default: from OUT's extension).")
    var to: String?

    @Option(parsing: .unconditional, help: "Convert only the first N rows.")
    var limit: Int?

    @Option(help: "How a native output stores values: f32, f16 (half the bytes) or int8 (a quarter, one scale per row).")
    var precision: String = "f32"

    @Flag(help: "With f16 or int8, also keep a float32 copy of every row, so searches re-rank their candidates and answer exactly.")
    var keepFloat32 = false

    @OptionGroup var progressOptions: ProgressOptions

    @Flag(help: "Replace invalid UTF-8 in words with U+FFFD instead of failing.")
    var lossyUTF8 = false

    @Flag(help: "Load NaN and infinite values instead of rejecting them.")
    var allowNonFinite = false

    @Flag(help: "Print one JSON object: input, output, format, count, dimensions, precision, float32_copy, seconds.")
    var json = false

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
        guard let precision = VectorPrecision(option: precision) else {
            throw ValidationError("--precision must be f32, f16 or int8, not '\(precision)'")
        }
        if keepFloat32 && precision == .float32 { throw ValidationError("--keep-float32 goes with --precision f16 or int8") }
    }

    func run() throws {
        let target = try outputFormat()
        let reading = ProgressLine("reading \(input)"), writing = ProgressLine("writing \(output)")
        let options = LoadOptions(format: try EmbeddingFormat.parse(option: from), limit: limit,
                                  textDecoding: lossyUTF8 ? .lossy : .strict,
                                  nonFiniteValues: allowNonFinite ? .allow : .reject, progress: reading.update)
        let start = Date()
        try reportingFileErrors {
            let embeddings = try WordEmbeddings(contentsOf: input, options: options)
            reading.finish()
            let precision = VectorPrecision(option: precision)!
            try VectorFileWriter.write(embeddings, to: output, as: target, limit: limit, precision: precision, exactCopy: keepFloat32,
                                       progress: writing.update)
            writing.finish()
            let count = min(embeddings.count, limit ?? .max)
            if json {
                print(JSONValue.object([
                    ("input", .string(input)), ("output", .string(output)), ("format", .string(target.rawValue)), ("count", .integer(count)),
                    ("dimensions", .integer(embeddings.dimensions)), ("precision", .string(precision.rawValue)),
                    ("float32_copy", .bool(keepFloat32)), ("seconds", .double(Date().timeIntervalSince(start))),
                ]).rendered)
            } else if !progressOptions.quiet {
                let stored = precision == .float32 ? "" : " (\(precision)\(keepFloat32 ? " + float32 copy" : ""))"
                StandardError.print("wrote \(count) × \(embeddings.dimensions) as \(target)\(stored) to \(output)")
            }
        }
    }

    private func outputFormat() throws -> EmbeddingFormat {
        if let to {
            guard let format = try EmbeddingFormat.parse(option: to) else {
                throw ValidationError("--to needs a format, not auto")
            }
            return format
        }
        let byExtension: [(String, EmbeddingFormat)] = [(".bin", .word2vecBinary), (".txt", .word2vecText),
                                                        (".vec", .fasttextVec), (".ekv", .native)]
        guard let match = byExtension.first(where: { output.hasSuffix($0.0) }) else {
            throw ValidationError("cannot tell the output format from '\(output)'; pass --to")
        }
        return match.1
    }
}
