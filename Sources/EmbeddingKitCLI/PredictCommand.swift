import ArgumentParser
import Foundation
import TextFeatures
import TransferLearning

/// `embkit predict --model M [FILE|-]`: labels for each input line, like `fasttext predict-prob`.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print the most probable labels for each input line (`__label__x 0.93 …`), with an EmbeddingKit model or a supervised fastText .bin/.ftz.",
        discussion: "Reads FILE, or stdin when FILE is `-` or absent, and writes one output line per input line, "
            + "streaming in batches of 1,000 lines.")

    @Option(help: "The model file.")
    var model: String

    @Option(help: "Use this embedding file instead of the one the model records.")
    var embeddings: String?

    @Argument(help: "Input text, one document per line (`-` for stdin).")
    var file = "-"

    @Option(name: [.short, .long], parsing: .unconditional, help: "How many labels per line.")
    var k = 1

    @Option(parsing: .unconditional, help: "Only labels with at least this probability.")
    var threshold: Float = 0

    @OptionGroup var progressOptions: ProgressOptions

    @Flag(help: "Print one JSON object per line.")
    var json = false

    @Flag(help: "Replace bytes that are not UTF-8 with U+FFFD (as fastText reads them) instead of stopping at that line.")
    var lossyUtf8 = false

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if !(0...1).contains(threshold) { throw ValidationError("--threshold must be a probability, 0 to 1") }
    }

    func run() throws {
        let loaded = try openModel(model, embeddings: embeddings)
        var lines = try reportingFileErrors { try LineStream(path: file) }
        var batch: [String] = []
        var output = StandardOutput()
        // Progress by bytes read, for a regular file (stdin's size is not known).
        let size = file == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).flatMap { $0 }
        let progress = ProgressLine("predicting")
        defer { progress.finish() }
        var read = 0
        func flush() throws {
            if let size, size > 0 { progress.update(min(1, Double(read) / Double(size))) }
            let predictions = try reportingTrainingErrors { try loaded.predict(batch, k: k, threshold: threshold) }
            for labels in predictions {
                if json {
                    output.write(JSONValue.object([("labels", .array(labels.map {
                        .object([("label", .string($0.label)), ("probability", .float($0.probability))])
                    }))]).rendered + "\n")
                } else {
                    output.write(labels.map { "__label__\($0.label) \($0.probability)" }.joined(separator: " ") + "\n")
                }
            }
            batch.removeAll(keepingCapacity: true)
        }
        while let line = lines.next() {
            // Invalid UTF-8 stops at its line (the lines before it are answered), as train and test
            // stop, unless asked to replace it.
            guard let text = lossyUtf8 ? String(decoding: line.bytes, as: UTF8.self) : try? line.text(in: file) else {
                if !batch.isEmpty { try flush() }
                output.flush()
                return try reportingFileErrors { _ = try line.text(in: file) }
            }
            batch.append(text)
            read = line.offset + line.bytes.count
            if batch.count == 1000 { try flush() }
        }
        if !batch.isEmpty { try flush() }
        output.flush()
    }
}
