import Classifiers
import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks
import TextFeatures
import TransferLearning

/// `embkit-bench transfer`: every strategy × classifier → test accuracy, macro-F1, training time
/// and model size, beside the fastText CLI (`-pretrainedVectors` with word n-grams 1 and 2, and
/// from scratch) and scikit-learn's TF-IDF + logistic regression — all on the very same tokens
/// (our tokenizer's output is what fastText and scikit-learn read), the same dimension, epochs
/// and thread count. Then the whole `embkit train` against the whole `fasttext supervised`
/// (reading the vectors included), training throughput in tokens/s/thread, and `predict`
/// throughput.
///
/// Options: `--embeddings PATH` (default the shipped GloVe subset), `--train`, `--test` (the
/// shipped corpus), `--epochs N` (10), `--threads N` (1), `--data DIR` (scratch files).
enum TransferBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let embeddingsPath = options.string("--embeddings", default: "Embeddings/glove.6B.50d.20k.txt.gz")
        let trainPath = options.string("--train", default: "Corpora/rotten-tomatoes/train.txt")
        let testPath = options.string("--test", default: "Corpora/rotten-tomatoes/test.txt")
        let epochs = options.integer("--epochs", default: 10), threads = options.integer("--threads", default: 1)
        let folder = options.string("--data", default: "/tmp/embkit-bench-transfer")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let train = try LabeledCorpus(contentsOf: trainPath), test = try LabeledCorpus(contentsOf: testPath)
        let embeddings = try WordEmbeddings(contentsOf: embeddingsPath)
        report(Measurement.machineDescription())
        report("embeddings \(embeddingsPath) (\(embeddings.count) × \(embeddings.dimensions)); \(train.documents.count) training, "
            + "\(test.documents.count) test documents; \(epochs) epochs, \(threads) thread(s)")

        report("\n| strategy | classifier | accuracy | macro-F1 | train s | model |")
        report("|---|---|---|---|---|---|")
        let featurizer = DocumentFeaturizer(embeddings: embeddings, settings: FeaturizerSettings(pooling: .meanAndMax))
        var sgd = SGDSettings()
        sgd.epochs = epochs
        sgd.threadCount = threads
        var fineTune = FineTuning(), fineTuneMLP = FineTuning(), headOnly = FineTuning(), combination = Combination()
        fineTune.training = sgd
        fineTuneMLP.training = sgd
        fineTuneMLP.hiddenLayers = [256]
        headOnly.training = sgd
        headOnly.trainable = .headOnly
        combination.training.threadCount = threads
        var network = MultilayerPerceptronSettings()
        network.epochs = 30
        network.patience = 31
        let rows: [(String, String, TransferStrategy, ClassifierHead)] = [
            ("fixed-features", "logistic", .fixedFeatures, .logisticRegression()),
            ("fixed-features", "mlp (256, 30 epochs)", .fixedFeatures, .multilayerPerceptron(network)),
            ("combine", "mlp (256)", .combine(combination), .logisticRegression()),
            ("fine-tune --trainable head", "linear", .fineTune(headOnly), .logisticRegression()),
            ("fine-tune", "linear", .fineTune(fineTune), .logisticRegression()),
            ("fine-tune", "mlp (256)", .fineTune(fineTuneMLP), .logisticRegression()),
        ]
        for (name, classifier, strategy, head) in rows {
            let start = DispatchTime.now().uptimeNanoseconds
            let model = try TransferModel.train(strategy, featurizer: featurizer, head: head, on: train, seed: 1)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let path = "\(folder)/model.ekm"
            try model.write(to: path)
            let scores = try model.evaluate(on: test)
            report("| \(name) | \(classifier) | \(format(scores.accuracy, 4)) | \(format(scores.macroF1, 4)) | \(format(seconds, 2)) | "
                + "\(megabytes(path)) |")
        }
        let auto = try StrategyAdvisor(seed: 1).train(featurizer: featurizer, on: train)
        let autoScores = try auto.evaluate(on: test)
        report("| auto → \(auto.strategy.kind.rawValue) | — | \(format(autoScores.accuracy, 4)) | \(format(autoScores.macroF1, 4)) | — | — |")

        // The peers read our tokens.
        let tokenizer = featurizer.tokenizer
        func writeTokens(_ corpus: LabeledCorpus, _ name: String) throws -> String {
            let path = "\(folder)/\(name).tok.txt"
            let lines = corpus.documents.map { document in
                (document.labels.map { "__label__\($0)" } + tokenizer.tokens(in: document.text)).joined(separator: " ")
            }
            try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
            return path
        }
        let trainTokens = try writeTokens(train, "train"), testTokens = try writeTokens(test, "test")
        let vectors = "\(folder)/vectors.vec"
        try VectorFileWriter.write(embeddings, to: vectors, as: .fasttextVec)
        let gold = test.documents.map { $0.labels[0] }
        for (label, extra) in [("fastText -pretrainedVectors, -wordNgrams 1", ["-pretrainedVectors", vectors, "-wordNgrams", "1"]),
                               ("fastText -pretrainedVectors, -wordNgrams 2", ["-pretrainedVectors", vectors, "-wordNgrams", "2"]),
                               ("fastText from scratch, -wordNgrams 2", ["-wordNgrams", "2"])] {
            let output = "\(folder)/fasttext"
            let run = try ProcessMeasurement.run(["fasttext", "supervised", "-input", trainTokens, "-output", output,
                                                  "-dim", "\(embeddings.dimensions)", "-epoch", "\(epochs)",
                                                  "-thread", "\(threads)", "-verbose", "2"] + extra)
            let predicted = try ProcessMeasurement.run(["fasttext", "predict", output + ".bin", testTokens]).output
                .split(separator: "\n").map { String($0.dropFirst("__label__".count)) }
            let scores = classificationReport(predicted: predicted, gold: gold, labels: train.labels)
            report("| \(label) | linear | \(format(scores.accuracy, 4)) | \(format(scores.macroF1, 4)) | "
                + "\(format(run.seconds, 2)) (whole run) | \(megabytes(output + ".bin")) |")
        }
        let sklearn = try ProcessMeasurement.run(["python3", "Sources/Benchmarks/compare_tfidf.py", trainTokens, testTokens]).output
        report(sklearn.trimmingCharacters(in: .whitespacesAndNewlines))

        try wholeRuns(embeddingsPath: embeddingsPath, vectors: vectors, trainPath: trainPath, trainTokens: trainTokens,
                      testPath: testPath, testTokens: testTokens, dimensions: embeddings.dimensions, epochs: epochs, threads: threads,
                      folder: folder,
                      tokens: train.documents.reduce(0) { $0 + tokenizer.tokens(in: $1.text).count })
    }

    /// Whole processes, reading the vectors included: training wall time, peak RSS and
    /// throughput, then prediction throughput, fastText in the same run.
    static func wholeRuns(embeddingsPath: String, vectors: String, trainPath: String, trainTokens: String, testPath: String,
                          testTokens: String, dimensions: Int, epochs: Int, threads: Int, folder: String, tokens: Int) throws {
        report("\n## whole runs: `embkit train --strategy fine-tune` against `fasttext supervised -pretrainedVectors -wordNgrams 2`")
        let embkit = LoadBenchmark.embkitPath, model = "\(folder)/whole.ekm"
        let ours = try ProcessMeasurement.run([embkit, "train", "--strategy", "fine-tune", "--train", trainPath, "--test", testPath,
                                               "--embeddings", embeddingsPath, "--epochs", "\(epochs)", "--threads", "\(threads)",
                                               "--output", model])
        let theirs = try ProcessMeasurement.run(["fasttext", "supervised", "-input", trainTokens, "-output", "\(folder)/whole",
                                                 "-pretrainedVectors", vectors, "-dim", "\(dimensions)", "-wordNgrams", "2", "-epoch", "\(epochs)",
                                                 "-thread", "\(threads)", "-verbose", "2"])
        report("EmbeddingKit \(format(ours.seconds, 2)) s, \(LoadBenchmark.megabytes(ours.peakRSSBytes)); fastText "
            + "\(format(theirs.seconds, 2)) s, \(LoadBenchmark.megabytes(theirs.peakRSSBytes)) → "
            + "\(format(theirs.seconds / max(ours.seconds, 0.01), 1))× faster")
        let fastTextRate = theirs.errorOutput.components(separatedBy: "words/sec/thread:").last
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).prefix { $0.isNumber }) } ?? 0
        let trainingSeconds = ours.errorOutput.components(separatedBy: " documents (").last?.components(separatedBy: " in ").last
            .flatMap { Double($0.prefix { $0.isNumber || $0 == "." }) } ?? ours.seconds
        report("training throughput: EmbeddingKit \(Int(Double(tokens * epochs) / trainingSeconds / Double(threads))) tokens/s/thread "
            + "(training alone, \(format(trainingSeconds, 2)) s incl. vocabulary and encoding); fastText \(fastTextRate) words/sec/thread (its own count)")

        let lines = "\(folder)/predict-lines.txt", tokenLines = "\(folder)/predict-tokens.txt"
        let repeats = 40
        for (source, target) in [(testPath, lines), (testTokens, tokenLines)] {
            let text = try String(contentsOfFile: source, encoding: .utf8)
            try String(repeating: text, count: repeats).write(toFile: target, atomically: true, encoding: .utf8)
        }
        let count = try String(contentsOfFile: lines, encoding: .utf8).split(separator: "\n").count
        let ourPredict = try ProcessMeasurement.run(["/bin/sh", "-c", "taskset -c 0 '\(embkit)' predict --model '\(model)' '\(lines)' > /dev/null"])
        let theirPredict = try ProcessMeasurement.run(["/bin/sh", "-c", "taskset -c 0 fasttext predict '\(folder)/whole.bin' '\(tokenLines)' > /dev/null"])
        report("predict \(count) lines, one core each (fastText predicts on one thread), start-up included: EmbeddingKit \(format(ourPredict.seconds, 2)) s (\(Int(Double(count) / ourPredict.seconds)) lines/s), "
            + "fastText \(format(theirPredict.seconds, 2)) s (\(Int(Double(count) / theirPredict.seconds)) lines/s) → "
            + "\(format(theirPredict.seconds / ourPredict.seconds, 2))× its throughput; peak RSS "
            + "\(LoadBenchmark.megabytes(ourPredict.peakRSSBytes)) vs \(LoadBenchmark.megabytes(theirPredict.peakRSSBytes))")
    }

    /// The size of the file at `path` in MB.
    static func megabytes(_ path: String) -> String {
        let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int ?? 0
        return "\(format(Double(size) / 1e6, 1)) MB"
    }

    /// Accuracy and macro-F1 of label names against gold names.
    static func classificationReport(predicted: [String], gold: [String], labels: [String]) -> ClassificationReport {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var tally = ClassificationTally(classCount: labels.count)
        for (guess, truth) in zip(predicted, gold) { tally.add(predicted: index[guess].map { [$0] } ?? [], gold: [index[truth]!]) }
        return ClassificationReport(tally)
    }
}
