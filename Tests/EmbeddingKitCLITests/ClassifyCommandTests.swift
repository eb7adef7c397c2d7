import Foundation
import Testing

@Suite("embkit train, test and predict")
struct ClassifyCommandTests {
    static let corpus = """
        __label__a the of and
        __label__b in to is
        __label__a of the and the
        __label__b to in is to
        __label__a and of
        __label__b is in

        """

    func scratch() throws -> URL { try EmbeddingKitProcess.scratchFolder("classify") }

    @Test("train writes a model and reports; test --json has the documented keys; predict streams one line per input")
    func roundTrip() throws {
        let folder = try scratch()
        let corpus = folder.appendingPathComponent("train.txt"), model = folder.appendingPathComponent("model.ekm")
        try Data(Self.corpus.utf8).write(to: corpus)
        let train = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                 "--output", model.path, "--tokenizer", "whitespace"])
        #expect(train.status == 0, "\(train.stderr)")
        #expect(train.stderr.contains("trained fine-tune on 6 documents (2 labels"))
        let onnx = folder.appendingPathComponent("model.onnx")
        let exported = try EmbeddingKitProcess.run(["export", model.path, "--output", onnx.path])
        #expect(exported.status == 0 && exported.stderr.contains("2 classes"), "\(exported.stderr)")
        #expect(try Data(contentsOf: onnx).count > 100)
        for strategy in ["fixed-features", "combine", "auto"] {
            let other = folder.appendingPathComponent("\(strategy).ekm")
            let run = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                   "--output", other.path, "--strategy", strategy, "--test", corpus.path, "--json"])
            #expect(run.status == 0 && run.stderr.contains("on 6 documents"), "\(strategy): \(run.stderr)")
            #expect((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["examples"] as? Int == 6)
        }
        for refused in [["--strategy", "fixed-features", "--word-ngrams", "3"], ["--strategy", "combine", "--trainable", "head"],
                        ["--pooling", "max"], ["--strategy", "fixed-features", "--epochs", "3"]] {
            let run = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                   "--output", folder.appendingPathComponent("refused.ekm").path] + refused)
            #expect(run.status == 64, "\(refused): \(run.stderr)")
        }

        let test = try EmbeddingKitProcess.run(["test", "--model", model.path, corpus.path, "--json"])
        #expect(test.status == 0)
        let report = try JSONSerialization.jsonObject(with: Data(test.stdout.utf8)) as? [String: Any]
        for key in ["examples", "accuracy", "macro_f1", "k", "precision_at_k", "recall_at_k", "per_class", "confusion"] {
            #expect(report?[key] != nil, "missing \(key)")
        }
        #expect(report?["examples"] as? Int == 6)

        let predict = try EmbeddingKitProcess.run(["predict", "--model", model.path, "-k", "2"], input: "the of\nin is\n\nzzz\n")
        #expect(predict.status == 0)
        let lines = predict.stdout.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("__label__a ") && lines[1].hasPrefix("__label__b "))
        let json = try EmbeddingKitProcess.run(["predict", "--model", model.path, "--json"], input: "the of\n")
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(((object?["labels"] as? [[String: Any]])?.first?["label"] as? String) == "a")
    }

    @Test("--unknown-words subwords with vectors that have no n-grams is refused, not silently skipped")
    func subwordsNeedNgrams() throws {
        let folder = try scratch()
        let corpus = folder.appendingPathComponent("train.txt")
        try Data(Self.corpus.utf8).write(to: corpus)
        let run = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                               "--unknown-words", "subwords", "--output", folder.appendingPathComponent("m.ekm").path])
        #expect(run.status == 64 && run.stderr.contains("needs character n-gram vectors"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m.ekm").path))
    }

    @Test("an unknown test label, a missing model and a bad corpus line are errors with a location")
    func errors() throws {
        let folder = try scratch()
        let corpus = folder.appendingPathComponent("train.txt"), model = folder.appendingPathComponent("model.ekm")
        try Data(Self.corpus.utf8).write(to: corpus)
        _ = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel, "--output", model.path])
        let other = folder.appendingPathComponent("other.txt")
        try Data("__label__a the\n__label__c of\n".utf8).write(to: other)
        let unknown = try EmbeddingKitProcess.run(["test", "--model", model.path, other.path])
        #expect(unknown.status == 1 && unknown.stderr.contains("\(other.path):2: the label 'c'"))
        let skipping = try EmbeddingKitProcess.run(["test", "--model", model.path, other.path, "--bad-lines", "skip", "--json"])
        #expect(skipping.status == 0 && skipping.stderr.contains("skipped 1 document(s) with labels the model was not trained on"))
        #expect((try JSONSerialization.jsonObject(with: Data(skipping.stdout.utf8)) as? [String: Any])?["examples"] as? Int == 1)
        let missing = try EmbeddingKitProcess.run(["predict", "--model", folder.appendingPathComponent("none.ekm").path])
        #expect(missing.status == 1 && missing.stderr.contains("cannot open the model file"))
        try Data("__label__a the\n__label__ of\n".utf8).write(to: other)
        let bad = try EmbeddingKitProcess.run(["train", "--train", other.path, "--embeddings", StoreCommandTests.toyModel,
                                               "--output", folder.appendingPathComponent("m2.ekm").path])
        #expect(bad.status == 1 && bad.stderr.contains("\(other.path):2: an empty label"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("m2.ekm").path))
        // Streamed test corpora: invalid UTF-8 names its line; a corpus of blank lines holds no documents.
        try Data(Array("__label__a the\n__label__b of \u{00}".utf8) + [0xFF] + Array("\n".utf8)).write(to: other)
        let notText = try EmbeddingKitProcess.run(["test", "--model", model.path, other.path])
        #expect(notText.status == 1 && notText.stderr.contains("\(other.path):2: invalid UTF-8"), "\(notText.stderr)")
        try Data("\n\n".utf8).write(to: other)
        let empty = try EmbeddingKitProcess.run(["test", "--model", model.path, other.path])
        #expect(empty.status == 1 && empty.stderr.contains("holds no documents") && empty.stdout.isEmpty)
    }
}

@Suite("embkit predict and test with a fastText model used as it is")
struct FastTextCommandTests {
    static let lid = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Embeddings/lid.176.ftz").path

    @Test("the README example: Bonjour tout le monde → __label__fr")
    func languageIdentifier() throws {
        let result = try EmbeddingKitProcess.run(["predict", "--model", Self.lid], input: "Bonjour tout le monde\nHola amigos\n")
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("__label__fr ") && lines[1].hasPrefix("__label__es "))
    }

    @Test("test prints what `fasttext test` prints (fastText 0.9.2 CLI on the same model and corpus); --report adds the rest")
    func fastTextSummary() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let model = root.appendingPathComponent("Tests/EmbeddingStoreTests/Fixtures/rt_sup.ftz").path
        let corpus = root.appendingPathComponent("Corpora/rotten-tomatoes/test.txt").path
        // `fasttext test rt_sup.ftz test.txt` and `… test.txt 2`:
        #expect(try EmbeddingKitProcess.run(["test", "--model", model, corpus]).stdout == "N\t2779\nP@1\t0.77\nR@1\t0.77\n")
        #expect(try EmbeddingKitProcess.run(["test", "--model", model, corpus, "-k", "2"]).stdout == "N\t2779\nP@2\t0.496\nR@2\t0.992\n")
        let full = try EmbeddingKitProcess.run(["test", "--model", model, corpus, "--report"])
        #expect(full.stdout.hasPrefix("examples: 2779\naccuracy: 0.7701") && full.stdout.contains("confusion"), "\(full.stdout)")
    }

    @Test("export refuses a fastText model with a reason, exit 1, no file")
    func exportRefused() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("lid-\(UUID().uuidString).onnx").path
        let result = try EmbeddingKitProcess.run(["export", Self.lid, "--output", output])
        #expect(result.status == 1 && result.stderr.contains("cannot be exported to ONNX"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}

extension ClassifyCommandTests {
    @Test("train --json without a test set describes the training; info describes the model file it wrote")
    func trainingSummaryAndInfo() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("train.txt"), model = folder.appendingPathComponent("model.ekm")
        try Data(Self.corpus.utf8).write(to: corpus)
        let train = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                 "--output", model.path, "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as? [String: Any]
        #expect(summary?["strategy"] as? String == "fine-tune" && summary?["documents"] as? Int == 6)
        #expect(summary?["labels"] as? [String] == ["a", "b"] && summary?["model"] as? String == model.path)
        let info = try EmbeddingKitProcess.run(["info", model.path, "--json"])
        #expect(info.status == 0, "\(info.stderr)")
        let fields = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
        #expect(fields?["format"] as? String == "embkit-model" && fields?["strategy"] as? String == "fine-tune")
        #expect(fields?["classes"] as? Int == 2 && fields?["inputs"] as? String == "texts")
        // Six documents: lazy Adam by the small-corpus rule.
        #expect(fields?["optimizer"] as? String == "adam")
        #expect((fields?["architecture"] as? String)?.contains("embedding bag") == true)
        #expect(fields?["embeddings"] as? String == URL(fileURLWithPath: StoreCommandTests.toyModel).standardizedFileURL.path)
        let text = try EmbeddingKitProcess.run(["info", model.path])
        #expect(text.status == 0 && text.stdout.contains("strategy: fine-tune\n"))
        #expect(train.stderr.contains("in ") && train.stderr.contains(", 10 epochs; wrote"), "\(train.stderr)")
        let quiet = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                 "--output", model.path, "--quiet"])
        #expect(quiet.status == 0 && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }
}

extension ClassifyCommandTests {
    @Test("train --plot draws the training curve (and the confusion matrix with a test set); test --plot and map write SVG")
    func plots() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("train.txt"), model = folder.appendingPathComponent("model.ekm")
        try Data(Self.corpus.utf8).write(to: corpus)
        let curve = folder.appendingPathComponent("training.svg")
        let train = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--test", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                 "--output", model.path, "--plot", curve.path])
        #expect(train.status == 0, "\(train.stderr)")
        for file in [curve, folder.appendingPathComponent("training-confusion.svg")] {
            let svg = try String(contentsOf: file, encoding: .utf8)
            #expect(svg.hasPrefix("<?xml") && svg.contains("<svg") && svg.hasSuffix("</svg>\n"), "\(file.lastPathComponent)")
        }
        #expect(try String(contentsOf: curve, encoding: .utf8).contains(">epoch</text>"))
        let confusion = folder.appendingPathComponent("test.svg")
        let test = try EmbeddingKitProcess.run(["test", "--model", model.path, corpus.path, "--plot", confusion.path])
        #expect(test.status == 0 && test.stdout.hasPrefix("N\t6\n") && test.stderr.contains("wrote \(confusion.path)"), "\(test.stderr)")
        #expect(try String(contentsOf: confusion, encoding: .utf8).contains(">predicted</text>"))
        let map = folder.appendingPathComponent("map.svg")
        let mapped = try EmbeddingKitProcess.run(["map", "--embeddings", StoreCommandTests.toyModel, "the", "of", "and", "nosuchword",
                                                  "--output", map.path])
        #expect(mapped.status == 0 && mapped.stderr.contains("left out: nosuchword"), "\(mapped.stderr)")
        #expect(try String(contentsOf: map, encoding: .utf8).contains(">the</text>"))
        let refused = try EmbeddingKitProcess.run(["test", "--model", model.path, corpus.path, "--plot", folder.appendingPathComponent("x.png").path])
        #expect(refused.status == 64 && refused.stderr.contains("--plot writes SVG"))
    }
}
