import Foundation
import Testing

@Suite("embkit encode")
struct EncodeCommandTests {
    /// The tiny random BERT folder of the TransferLearning tests (sentence-transformers' layout).
    static let encoder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TransferLearningTests/Fixtures/tiny-bert").path

    @Test("one unit-length embedding per input line, in order, the same as text and as JSON; a missing folder is exit 1 naming it")
    func encodesLines() throws {
        let input = "a cat sat.\n\nthe quick brown fox, twice!\n"
        let plain = try EmbeddingKitProcess.run(["encode", "--encoder", Self.encoder, "--batch-size", "2"], input: input)
        #expect(plain.status == 0, "\(plain.stderr)")
        let rows = plain.stdout.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 32 })
        for row in rows { #expect(abs(row.map { $0 * $0 }.reduce(0, +) - 1) < 1e-4) }
        // Each line alone gives the same vector as in the batch.
        let alone = try EmbeddingKitProcess.run(["encode", "--encoder", Self.encoder], input: "the quick brown fox, twice!\n")
        let single = alone.stdout.split(separator: " ").compactMap { Float($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(zip(single, rows[2]).allSatisfy { abs($0 - $1) < 1e-5 })

        let json = try EmbeddingKitProcess.run(["encode", "--encoder", Self.encoder, "--json"], input: input)
        let objects = try json.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.map { $0["text"] as? String } == ["a cat sat.", "", "the quick brown fox, twice!"])
        #expect(objects.allSatisfy { ($0["embedding"] as? [Double])?.count == 32 })

        let missing = try EmbeddingKitProcess.run(["encode", "--encoder", "/nonexistent/encoder"], input: input)
        #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("/nonexistent/encoder/config.json"))
    }
}

@Suite("embkit train --encoder")
struct TrainOnEncoderCommandTests {
    /// Lines of two classes the tiny encoder tells apart (mostly `!`, or mostly unknown words).
    private static func corpus(_ count: Int, offset: Int = 0) -> String {
        (0..<count).map { index in
            let length = 3 + (index + offset) % 5, bangs = index % 2 == 0
            let tokens = (0..<length).map { position in (position == length / 2) != bangs ? "!" : "word" }
            return "__label__\(bangs ? "bang" : "word") " + tokens.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    @Test("fixed features and fine-tune train, test and predict through the model file; info names the encoder; word-vector options are refused")
    func trainsTestsAndPredicts() throws {
        let folder = try EmbeddingKitProcess.scratchFolder("train-encoder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let train = folder.appendingPathComponent("train.txt").path, test = folder.appendingPathComponent("test.txt").path
        try Self.corpus(60).write(toFile: train, atomically: true, encoding: .utf8)
        try Self.corpus(20, offset: 1).write(toFile: test, atomically: true, encoding: .utf8)
        for (strategy, extra) in [("fixed-features", [String]()), ("fine-tune", ["--trainable", "top", "1", "--epochs", "8", "--lr", "0.03"])] {
            let model = folder.appendingPathComponent("\(strategy).ekm").path
            let trained = try EmbeddingKitProcess.run(["train", "--encoder", EncodeCommandTests.encoder, "--strategy", strategy, "--train", train,
                                                       "--test", test, "--output", model, "--json"] + extra)
            #expect(trained.status == 0, "\(trained.stderr)")
            let report = try JSONSerialization.jsonObject(with: Data(trained.stdout.utf8)) as? [String: Any]
            #expect((report?["accuracy"] as? Double ?? 0) >= 0.95, "\(strategy): \(trained.stdout)")
            let tested = try EmbeddingKitProcess.run(["test", "--model", model, test, "--json"])
            #expect(tested.status == 0 && tested.stdout == trained.stdout, "\(tested.stderr)")
            let predicted = try EmbeddingKitProcess.run(["predict", "--model", model], input: "! ! ! !\nword word word word\n")
            let labels = predicted.stdout.split(separator: "\n").map { $0.split(separator: " ")[0] }
            #expect(labels == ["__label__bang", "__label__word"], "\(predicted.stdout) \(predicted.stderr)")
            let info = try EmbeddingKitProcess.run(["info", model])
            #expect(info.stdout.contains("encoder: ") && info.stdout.contains("model.safetensors=crc32:"), "\(info.stdout)")
        }
        let refused = try EmbeddingKitProcess.run(["train", "--encoder", EncodeCommandTests.encoder, "--train", train, "--word-ngrams", "2"])
        #expect(refused.status == 64 && refused.stderr.contains("--word-ngrams does not apply to --encoder"), "\(refused.stderr)")
        let layers = try EmbeddingKitProcess.run(["train", "--encoder", EncodeCommandTests.encoder, "--train", train, "--trainable", "top", "3",
                                                  "--output", folder.appendingPathComponent("x.ekm").path])
        #expect(layers.status == 1 && layers.stderr.contains("top 3 is not 1 to 2"), "\(layers.stderr)")
    }
}
