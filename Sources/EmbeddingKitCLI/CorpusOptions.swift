import ArgumentParser
import EmbeddingStore
import TextFeatures

extension CorpusFormat: ExpressibleByArgument {}

/// How `train` and `test` read labelled corpora.
struct CorpusOptions: ParsableArguments {
    @Option(help: "fasttext, tsv, csv or folder (default: detected from the path and first line).")
    var corpusFormat: CorpusFormat?

    @Option(help: "The CSV column with the text: a header name or a 1-based number.")
    var textColumn = "text"

    @Option(help: "The CSV column with the label: a header name or a 1-based number.")
    var labelColumn = "label"

    @Option(help: "fail or skip on malformed corpus lines (and, in test, on labels the model was not trained on).")
    var badLines: BadLinePolicy = .fail

    /// Reads the corpus at `path` into memory, printing `path:line: message` and exiting 1 on bad input.
    func read(_ path: String) throws -> LabeledCorpus {
        let corpus = try reportingFileErrors {
            try LabeledCorpus(contentsOf: path, format: corpusFormat, badLines: badLines,
                              columns: CorpusColumns(text: textColumn, label: labelColumn))
        }
        reportSkipped(corpus.skippedLines, in: path)
        return corpus
    }

    /// A reader of the corpus at `path` (errors printed, exit 1).
    func reader(_ path: String) throws -> CorpusReader {
        try reportingFileErrors {
            try CorpusReader(path: path, format: corpusFormat, badLines: badLines,
                             columns: CorpusColumns(text: textColumn, label: labelColumn))
        }
    }

    /// Tells stderr how many malformed lines `--bad-lines skip` left out.
    func reportSkipped(_ count: Int, in path: String) {
        if count > 0 { StandardError.print("embkit: skipped \(count) malformed line(s) in \(path)") }
    }
}

/// A corpus file that training reads once per pass; its malformed lines skipped under
/// `--bad-lines skip` are reported after the first pass only.
final class ReportedCorpus: DocumentSource {
    private let reader: CorpusReader, options: CorpusOptions
    private var reported = false

    init(reader: CorpusReader, options: CorpusOptions) {
        self.reader = reader
        self.options = options
    }

    var path: String { reader.path }

    @discardableResult
    func forEachDocument(_ body: (LabeledDocument) throws -> Void) throws -> Int {
        let skipped = try reader.forEachDocument(body)
        if !reported { options.reportSkipped(skipped, in: path) }
        reported = true
        return skipped
    }
}
