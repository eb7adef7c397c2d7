import ArgumentParser
import EmbeddingStore

/// `embkit evaluate analogies|similarity`: the standard intrinsic evaluations, as gensim computes them.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate", abstract: "Evaluate embeddings on word analogies or word-pair similarity.",
        subcommands: [Analogies.self, Similarity.self])

    /// Options both evaluations share.
    struct Common: ParsableArguments {
        @Option(help: "The vector file.")
        var embeddings: String

        @OptionGroup var fileOptions: EmbeddingFileOptions

        @Option(parsing: .unconditional, help: "Only the first N words count as known (gensim's restrict_vocab).")
        var restrictVocab = 300_000

        @Flag(help: "Print one JSON object.")
        var json = false

        @Argument(help: "The dataset file.")
        var dataset: String

        func validate() throws {
            if restrictVocab < 1 { throw ValidationError("--restrict-vocab must be at least 1") }
        }

        func load() throws -> WordEmbeddings {
            try fileOptions.load(embeddings)
        }
    }

    struct Analogies: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accuracy on a questions-words.txt-style file (3CosAdd, top 5, case-insensitive).")

        @OptionGroup var common: Common

        @Option(help: "add (3CosAdd, as gensim) or mul (3CosMul).")
        var method: AnalogyMethod = .add

        func run() throws {
            let table = try common.load()
            let result = try reportingFileErrors {
                try AnalogyEvaluation(embeddings: table, questionsAt: common.dataset,
                                      restrictVocabulary: common.restrictVocab, method: method)
            }
            if result.invalidLines > 0 { StandardError.print("embkit: skipped \(result.invalidLines) malformed line(s)") }
            if common.json {
                let sections = result.sections.map { section in
                    JSONValue.object([("name", .string(section.name)), ("correct", .integer(section.correct)),
                                      ("total", .integer(section.total)), ("accuracy", .double(section.accuracy))])
                }
                print(JSONValue.object([("correct", .integer(result.correct)), ("total", .integer(result.total)),
                                        ("skipped", .integer(result.skipped)), ("accuracy", .double(result.accuracy)),
                                        ("sections", .array(sections))]).rendered)
            } else {
                for section in result.sections {
                    print("\(section.name): \(section.correct)/\(section.total) = \(format(section.accuracy))")
                }
                print("total: \(result.correct)/\(result.total) = \(format(result.accuracy)) (\(result.skipped) skipped)")
            }
        }
    }

    struct Similarity: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pearson and Spearman correlation with human scores on a word-pair file (word1 TAB word2 TAB score).")

        @OptionGroup var common: Common

        func run() throws {
            let table = try common.load()
            let result = try reportingFileErrors {
                try WordPairEvaluation(embeddings: table, pairsAt: common.dataset, restrictVocabulary: common.restrictVocab)
            }
            if result.invalidLines > 0 { StandardError.print("embkit: skipped \(result.invalidLines) malformed line(s)") }
            if common.json {
                print(JSONValue.object([("pairs", .integer(result.pairs)), ("pearson", .double(result.pearson)),
                                        ("spearman", .double(result.spearman)), ("oov_ratio", .double(result.oovRatio))]).rendered)
            } else {
                print("pairs: \(result.pairs)\npearson: \(format(result.pearson))\nspearman: \(format(result.spearman))\n"
                    + "oov_ratio: \(format(result.oovRatio))%")
            }
        }
    }
}

/// A ratio with four decimals.
func format(_ value: Double) -> String {
    String((value * 10_000).rounded() / 10_000)
}
