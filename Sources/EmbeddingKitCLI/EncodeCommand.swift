import ArgumentParser
import TransferLearning

/// `embkit encode --encoder DIR [FILE|-]`: one sentence embedding per input line.
struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Print one sentence embedding (`v1 … vD`) per input line, with a BERT-style sentence encoder.",
        discussion: "--encoder takes a folder as sentence-transformers downloads it (config.json, model.safetensors, "
            + "tokenizer.json or vocab.txt, modules.json, 1_Pooling/config.json): its pooling and normalisation are honoured "
            + "and sentence_bert_config.json's max_seq_length truncates. Reads FILE, or stdin when FILE is `-` or absent, "
            + "4,096 lines at a time, batched by length; values are the shortest decimals that read back to the same float32.")

    @Option(help: "The sentence encoder folder.")
    var encoder: String

    @Argument(help: "Input text, one sentence per line (`-` for stdin).")
    var file = "-"

    @Option(help: "Sentences per batch (each padded to its longest).")
    var batchSize = 32

    @OptionGroup var progressOptions: ProgressOptions

    @Flag(help: "Print one JSON object per line: {\"text\": …, \"embedding\": [...]}.")
    var json = false

    @Flag(help: "Replace bytes that are not UTF-8 with U+FFFD instead of stopping at that line.")
    var lossyUtf8 = false

    func validate() throws {
        if !(1...4096).contains(batchSize) { throw ValidationError("--batch-size must be 1 to 4096") }
    }

    func run() throws {
        let encoder = try reportingFileErrors { try SentenceEncoder(folder: self.encoder) }
        var output = StandardOutput()
        defer { output.flush() }
        try forEachBatchOfLines(in: file, size: 4096, lossyUTF8: lossyUtf8, progressLabel: "encoding") { batch in
            let embeddings = try encoder.encode(batch, batchSize: batchSize)
            embeddings.withUnsafeBufferPointer { values in
                for (row, text) in batch.enumerated() {
                    let vector = values[(row * embeddings.columns)..<((row + 1) * embeddings.columns)]
                    if json {
                        output.write(JSONValue.object([("text", .string(text)), ("embedding", .array(vector.map(JSONValue.float)))]).rendered + "\n")
                    } else {
                        output.write(vector.map(\.description).joined(separator: " ") + "\n")
                    }
                }
            }
        }
    }
}
