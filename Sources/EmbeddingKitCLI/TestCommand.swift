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
        try Self.report(model: loaded, corpus: try corpusOptions.read(file), k: k, json: json)
    }

    /// Predicts every document of `corpus` and prints the report.
    static func report(model: LoadedModel, corpus: LabeledCorpus, k: Int, json: Bool) throws {
        let index = Dictionary(uniqueKeysWithValues: model.labels.enumerated().map { ($1, $0) })
        var gold: [[Int]] = []
        for document in corpus.documents {
            let classes = document.labels.compactMap { index[$0] }
            guard classes.count == document.labels.count else {
                let label = document.labels.first { index[$0] == nil }!
                StandardError.print("embkit: \(corpus.path):\(document.line): the label '\(label)' is not one the model was trained on")
                throw ExitCode.failure
            }
            gold.append(classes)
        }
        let (predicted, coverage) = try model.predict(corpus.documents.map(\.text), k: max(k, 1), threshold: 0)
        let predictions = predicted.map { $0.compactMap { index[$0.label] } }
        let result = ClassificationReport(predictions: predictions, gold: gold, classCount: model.labels.count, k: k)
        print(json ? ReportPrinter.json(result, labels: model.labels, coverage: coverage)
                   : ReportPrinter.text(result, labels: model.labels, coverage: coverage))
    }
}
