import ArgumentParser
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

    @Option(help: "Use this embedding file (or sentence-encoder folder) instead of the one the model records.")
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
        var output = StandardOutput()
        defer { output.flush() }
        try forEachBatchOfLines(in: file, size: 1000, lossyUTF8: lossyUtf8, progressLabel: "predicting") { batch in
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
        }
    }
}
