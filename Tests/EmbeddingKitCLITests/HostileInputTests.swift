import Foundation
import Testing

/// Out-of-range options, data a strategy cannot train on and bytes that are not what they claim:
/// each a clear message naming the option or the file, a non-zero exit and no crash.
@Suite("embkit refuses bad options and bad data with a message")
struct HostileInputTests {
    func scratch() throws -> URL { try EmbeddingKitProcess.scratchFolder("hostile") }

    @Test("negative and out-of-range numbers are refused as such, exit 64")
    func outOfRangeOptions() throws {
        let model = FastTextCommandTests.lid, vectors = StoreCommandTests.toyModel
        let cases: [([String], String)] = [
            (["neighbors", "--embeddings", vectors, "-k", "-1", "the"], "-k must be at least 1"),
            (["convert", vectors, "/tmp/never.ekv", "--limit", "-5"], "--limit must not be negative"),
            (["predict", "--model", model, "--threshold", "2"], "--threshold must be a probability"),
            (["predict", "--model", model, "--threshold", "nan"], "--threshold must be a probability"),
            (["train", "--strategy", "fixed-features", "--classifier", "mlp", "--hidden", "1000000000"], "--hidden takes"),
            (["train", "--strategy", "fixed-features", "--classifier", "mlp", "--hidden", "4611686018427387904"], "--hidden takes"),
            (["image", "train", "--batch-size", "100000000"], "--batch-size takes"),
            // 7 × 65,536² weights: 448 GiB to train, more than half of any machine this runs on.
            (["train", "--strategy", "combine", "--hidden", "65536,65536,65536,65536,65536,65536,65536,65536"], "needs 30064771072 weights between its layers"),
            (["image", "train", "--strategy", "combine", "--hidden", "65536,65536,65536,65536,65536,65536,65536,65536"], "needs 30064771072 weights"),
        ]
        for (arguments, message) in cases {
            let result = try EmbeddingKitProcess.run(arguments)
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Backtrac"))
        }
    }

    @Test("image train refuses an option its strategy would ignore, naming it (exit 64)")
    func inapplicableImageOptions() throws {
        let cases: [([String], String)] = [
            (["--strategy", "fixed-features", "--trainable", "all"], "--trainable applies to --strategy fine-tune, not fixed-features"),
            (["--strategy", "combine", "--batch-norm", "frozen"], "--batch-norm applies to --strategy fine-tune"),
            (["--strategy", "scratch", "--linear-probe-epochs", "2"], "--linear-probe-epochs applies to --strategy fine-tune"),
            (["--strategy", "combine", "--classifier", "mlp"], "--classifier applies to --strategy fixed-features"),
            (["--strategy", "fine-tune", "--hidden", "64"], "--hidden applies to --strategy combine"),
            (["--strategy", "fixed-features", "--hidden", "64"], "--hidden applies to --strategy combine"),
            (["--trainable", "top", "3", "--base-rate-factor", "0.5"], "--base-rate-factor applies to --trainable all and from LAYER"),
            (["--strategy", "fine-tune", "--layer", "5"], "--layer applies to --strategy fixed-features"),
        ]
        for (options, message) in cases {
            let result = try EmbeddingKitProcess.run(["image", "train"] + options)
            #expect(result.status == 64 && result.stderr.contains(message), "\(options): \(result.status) \(result.stderr)")
        }
    }

    @Test("an --output (or --plot) that names an input file, by any name, is refused before anything is read or written; the input stays")
    func outputNamingAnInput() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let vectors = folder.appendingPathComponent("vectors.vec").path, corpus = folder.appendingPathComponent("train.txt").path
        try FileManager.default.copyItem(atPath: StoreCommandTests.toyModel, toPath: vectors)
        try "__label__a the of\n__label__b and\n".write(toFile: corpus, atomically: true, encoding: .utf8)
        let link = folder.appendingPathComponent("link.vec").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: vectors)
        let before = try Data(contentsOf: URL(fileURLWithPath: vectors))
        let cases: [([String], String)] = [
            (["train", "--train", corpus, "--embeddings", vectors, "--output", vectors], "--output \(vectors) is the --embeddings file"),
            (["train", "--train", corpus, "--embeddings", vectors, "--output", link], "is the --embeddings file"),
            (["train", "--train", corpus, "--embeddings", vectors, "--output", folder.path + "/./train.txt"], "is the --train file"),
            (["image", "train", "--train", folder.path, "--backbone", vectors, "--output", vectors], "is the --backbone file"),
        ]
        for (arguments, message) in cases {
            let result = try EmbeddingKitProcess.run(arguments)
            #expect(result.status == 64 && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: vectors)) == before)
    }

    @Test("one class is an error naming the training file for every strategy; so are several labels per line for the fixed-features MLP")
    func untrainableCorpus() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("one.txt")
        try Data("__label__a the of\n__label__a in to\n".utf8).write(to: corpus)
        for strategy in ["fine-tune", "fixed-features", "combine", "auto"] {
            let result = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                      "--strategy", strategy, "--output", folder.appendingPathComponent("m.ekm").path])
            #expect(result.status == 1 && result.stderr.contains("\(corpus.path): invalid training data: at least two classes"),
                    "\(strategy): \(result.stderr)")
        }
        try Data("__label__a __label__b the of\n__label__b in to\n".utf8).write(to: corpus)
        let multi = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                 "--strategy", "fixed-features", "--classifier", "mlp",
                                                 "--output", folder.appendingPathComponent("m.ekm").path])
        #expect(multi.status == 1 && multi.stderr.contains("\(corpus.path): line 1: several labels"), "\(multi.stderr)")
    }

    @Test("invalid UTF-8: a bad line train skips under --bad-lines skip; predict stops at it, or replaces it with --lossy-utf8")
    func invalidUTF8() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let corpus = folder.appendingPathComponent("train.txt"), model = folder.appendingPathComponent("m.ekm")
        try Data(Array("__label__a the of and\n__label__b in ".utf8) + [0xFF] + Array(" to is\n__label__b in to is\n__label__a of the\n".utf8))
            .write(to: corpus)
        let failing = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                   "--output", model.path])
        #expect(failing.status == 1 && failing.stderr.contains("\(corpus.path):2: invalid UTF-8"), "\(failing.stderr)")
        let skipping = try EmbeddingKitProcess.run(["train", "--train", corpus.path, "--embeddings", StoreCommandTests.toyModel,
                                                    "--output", model.path, "--bad-lines", "skip"])
        #expect(skipping.status == 0 && skipping.stderr.contains("skipped 1 malformed line"), "\(skipping.stderr)")
        let bytes = Data(Array("the of\nin ".utf8) + [0xFF] + Array(" to\nthe\n".utf8))
        let inputFile = folder.appendingPathComponent("input.txt")
        try bytes.write(to: inputFile)
        let stopped = try EmbeddingKitProcess.run(["predict", "--model", model.path, inputFile.path])
        #expect(stopped.status == 1 && stopped.stderr.contains("\(inputFile.path):2: invalid UTF-8"), "\(stopped.stderr)")
        #expect(stopped.stdout.split(separator: "\n").count == 1)
        let lossy = try EmbeddingKitProcess.run(["predict", "--model", model.path, inputFile.path, "--lossy-utf8"])
        #expect(lossy.status == 0 && lossy.stdout.split(separator: "\n").count == 3, "\(lossy.stderr)")
    }

    @Test("binary data in no known format, and a header with a negative count, say so")
    func unknownFormats() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let binary = folder.appendingPathComponent("model.bin"), negative = folder.appendingPathComponent("vectors.txt")
        try Data([0x00, 0x11, 0x22, 0x33] + Array(repeating: 0x41, count: 100) + [0x0A]).write(to: binary)
        try Data("-5 3\nthe 1 2 3\n".utf8).write(to: negative)
        let unknown = try EmbeddingKitProcess.run(["info", binary.path])
        #expect(unknown.status == 1 && unknown.stderr.contains("\(binary.path): byte 0: binary data in no format this reads"), "\(unknown.stderr)")
        let header = try EmbeddingKitProcess.run(["info", negative.path])
        #expect(header.status == 1 && header.stderr.contains("\(negative.path):1: the header needs a count ≥ 0"), "\(header.stderr)")
    }
}
