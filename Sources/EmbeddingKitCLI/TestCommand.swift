import ArgumentParser
import Classifiers
import Foundation
import LinearAlgebra
import TextFeatures
import TransferLearning

/// `embkit test --model M FILE`: accuracy, macro-F1, per-class figures, confusion matrix, P@k/R@k.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Evaluate a model on a labelled corpus.")

    @Option(help: "The model file (EmbeddingKit, or a supervised fastText .bin/.ftz).")
    var model: String

    @Option(help: "Use this embedding file instead of the one the model records.")
    var embeddings: String?

    @Argument(help: "The labelled corpus (fastText, TSV, CSV or a folder per class).")
    var file: String

    @Option(name: [.short, .long], help: "k for P@k and R@k.")
    var k = 1

    @OptionGroup var corpusOptions: CorpusOptions

    @Flag(help: "Print one JSON object.")
    var json = false

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
    }

    func run() throws {
        let loaded = try LoadedModel.open(model, embeddings: embeddings)
        try Self.report(model: loaded, corpus: try corpusOptions.reader(file), options: corpusOptions, k: k, json: json)
    }

    /// Predicts the documents of `corpus` as they are read, in batches of 1,000 (memory does not
    /// grow with the corpus), and prints the report.
    static func report(model: LoadedModel, corpus: CorpusReader, options: CorpusOptions, k: Int, json: Bool) throws {
        let index = Dictionary(uniqueKeysWithValues: model.labels.enumerated().map { ($1, $0) })
        var tally = ClassificationTally(classCount: model.labels.count, k: k)
        var batch: [String] = [], gold: [[Int]] = []
        var coverageSum = 0.0
        func predictBatch() throws {
            let (predicted, coverage) = try model.predict(batch, k: max(k, 1), threshold: 0)
            for (labels, classes) in zip(predicted, gold) {
                tally.add(predicted: labels.compactMap { index[$0.label] }, gold: classes)
            }
            coverageSum += coverage * Double(batch.count)
            batch.removeAll(keepingCapacity: true)
            gold.removeAll(keepingCapacity: true)
        }
        var unknownLabels = 0
        let skipped = try reportingFileErrors {
            try corpus.forEachDocument { document in
                let classes = document.labels.compactMap { index[$0] }
                guard classes.count == document.labels.count else {
                    if options.badLines == .skip {
                        unknownLabels += 1
                        return
                    }
                    let label = document.labels.first { index[$0] == nil }!
                    StandardError.print("embkit: \(corpus.path):\(document.line): the label '\(label)' is not one the model was trained on")
                    throw ExitCode.failure
                }
                gold.append(classes)
                batch.append(document.text)
                if batch.count == 1000 { try predictBatch() }
            }
        }
        if !batch.isEmpty { try predictBatch() }
        options.reportSkipped(skipped, in: corpus.path)
        if unknownLabels > 0 {
            StandardError.print("embkit: skipped \(unknownLabels) document(s) with labels the model was not trained on in \(corpus.path)")
        }
        guard tally.examples > 0 else {
            StandardError.print("embkit: \(corpus.path): the corpus holds no documents")
            throw ExitCode.failure
        }
        let coverage = coverageSum / Double(tally.examples)
        let result = ClassificationReport(tally)
        print(json ? ReportPrinter.json(result, labels: model.labels, coverage: coverage)
                   : ReportPrinter.text(result, labels: model.labels, coverage: coverage))
    }
}
