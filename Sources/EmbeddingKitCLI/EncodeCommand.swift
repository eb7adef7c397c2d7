import ArgumentParser
import Foundation
import TextFeatures
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
        var lines = try reportingFileErrors { try LineStream(path: file) }
        var batch: [String] = []
        var output = StandardOutput()
        let size = file == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int).flatMap { $0 }
        let progress = ProgressLine("encoding")
        defer { progress.finish() }
        var read = 0
        func flush() throws {
            if let size, size > 0 { progress.update(min(1, Double(read) / Double(size))) }
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
            batch.removeAll(keepingCapacity: true)
        }
        while let line = lines.next() {
            guard let text = lossyUtf8 ? String(decoding: line.bytes, as: UTF8.self) : try? line.text(in: file) else {
                if !batch.isEmpty { try flush() }
                output.flush()
                return try reportingFileErrors { _ = try line.text(in: file) }
            }
            batch.append(text)
            read = line.offset + line.bytes.count
            if batch.count == 4096 { try flush() }
        }
        if !batch.isEmpty { try flush() }
        output.flush()
    }
}
