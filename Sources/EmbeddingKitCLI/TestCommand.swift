import ArgumentParser
import Classifiers
import Foundation
import LinearAlgebra
import Plots
import TextFeatures
import TransferLearning

/// `embkit test --model M FILE`: fastText's `N`, `P@k`, `R@k` summary, or with `--report` accuracy,
/// macro-F1, per-class figures and the confusion matrix too.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Evaluate a model on a labelled corpus.",
        discussion: "Prints fastText's three lines (N, P@k, R@k) by default; --report adds accuracy, macro-F1, "
            + "per-class precision/recall/F1 and the confusion matrix; --json prints all of it as one object.")

    @Option(help: "The model file (EmbeddingKit, or a supervised fastText .bin/.ftz).")
    var model: String

    @Option(help: "Use this embedding file (or sentence-encoder folder) instead of the one the model records.")
    var embeddings: String?

    @Argument(help: "The labelled corpus (fastText, TSV, CSV or a folder per class).")
    var file: String

    @Option(name: [.short, .long], parsing: .unconditional, help: "k for P@k and R@k.")
    var k = 1

    @OptionGroup var corpusOptions: CorpusOptions

    @Flag(help: "Print the full report: accuracy, macro-F1, per-class figures, confusion matrix.")
    var report = false

    @Flag(help: "Print one JSON object (the full report).")
    var json = false

    @OptionGroup var progressOptions: ProgressOptions

    @Option(help: "Also draw the confusion matrix as a heat map into this SVG file.")
    var plot: String?

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        try validatePlotPath(plot)
    }

    func run() throws {
        try Self.report(model: openModel(model, embeddings: embeddings), corpus: try corpusOptions.reader(file),
                        options: corpusOptions, k: k, json: json, full: report, plot: plot)
    }

    /// Scores `model` on `corpus` as it is read and prints the report: the full one, or fastText's
    /// summary; with `plot`, draws the confusion matrix there.
    static func report(model: TransferModel, corpus: CorpusReader, options: CorpusOptions, k: Int, json: Bool, full: Bool = true,
                       plot: String? = nil) throws {
        let evaluation: TransferModel.Evaluation
        do {
            evaluation = try model.evaluate(reading: corpus, k: k)
        } catch TransferError.unknownLabel(let label, let line) {
            StandardError.print("embkit: \(corpus.path):\(line): the label '\(label)' is not one the model was trained on")
            throw ExitCode.failure
        } catch TransferError.emptyCorpus {
            StandardError.print("embkit: \(corpus.path): the corpus holds no documents")
            throw ExitCode.failure
        } catch {
            try reportingTrainingErrors { throw error }
            throw ExitCode.failure
        }
        options.reportSkipped(evaluation.skippedLines, in: corpus.path)
        if evaluation.skippedUnknownLabels > 0 {
            StandardError.print("embkit: skipped \(evaluation.skippedUnknownLabels) document(s) with labels the model was not trained on in \(corpus.path)")
        }
        if json {
            print(ReportPrinter.json(evaluation.report, labels: model.labels, coverage: evaluation.coverage))
        } else if full {
            print(ReportPrinter.text(evaluation.report, labels: model.labels, coverage: evaluation.coverage))
        } else {
            print(ReportPrinter.fastTextSummary(evaluation.report))
        }
        if let plot {
            let report = evaluation.report
            let title = "\(URL(fileURLWithPath: corpus.path).lastPathComponent): \(report.examples) documents, accuracy "
                + String(format: "%.4f, macro-F1 %.4f", report.accuracy, report.macroF1)
            try writePlot(ConfusionMatrixPlot(labels: model.labels, counts: report.confusion, title: title).svg, to: plot)
        }
    }
}

/// Opens an EmbeddingKit model or a supervised fastText model; errors are printed and end the
/// command with exit code 1.
func openModel(_ path: String, embeddings: String?) throws -> TransferModel {
    try reportingTrainingErrors { try TransferModel(contentsOf: path, embeddingsPath: embeddings) }
}
