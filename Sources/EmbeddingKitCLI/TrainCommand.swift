import ArgumentParser
import Classifiers
import EmbeddingStore
import Foundation
import LinearAlgebra
import TextFeatures
import TransferLearning

extension TransferStrategy: ExpressibleByArgument {}
extension FeaturizerSettings.Pooling: ExpressibleByArgument {}
extension FeaturizerSettings.Weighting: ExpressibleByArgument {}
extension FeaturizerSettings.UnknownWords: ExpressibleByArgument {}
extension BadLinePolicy: ExpressibleByArgument {}
extension ClassWeighting: ExpressibleByArgument {}

/// The classifier heads `embkit train` offers.
enum HeadKind: String, ExpressibleByArgument, CaseIterable {
    case logistic, mlp
}

/// The tokenizers `embkit train` offers.
enum TokenizerKind: String, ExpressibleByArgument, CaseIterable {
    case unicode, whitespace
}

/// `embkit train`: a text classifier on embedding features.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a text classifier on pre-trained embedding features.",
        discussion: "Corpora are fastText (`__label__x text`, several labels train one-vs-all), TSV (`label<TAB>text`), "
            + "CSV with a header, or a folder per class. With no arguments it trains on the shipped Rotten Tomatoes "
            + "corpus and GloVe subset and prints the test report.")

    @Option(help: "The training corpus.")
    var train = "Corpora/rotten-tomatoes/train.txt"

    @Option(help: "A validation corpus for early stopping.")
    var valid: String?

    @Option(help: "Hold out this share of the training corpus (chosen with --seed) for early stopping instead of --valid.")
    var validationSplit: Double?

    @Option(help: "A test corpus to report on after training (default: the shipped test set when training on the shipped corpus).")
    var test: String?

    @Option(help: "The word vectors.")
    var embeddings = "Embeddings/glove.6B.50d.20k.txt.gz"

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Option(help: "The transfer strategy.")
    var strategy: TransferStrategy = .fixedFeatures

    @Option(help: "logistic or mlp.")
    var classifier: HeadKind = .logistic

    @Option(help: "Hidden layer sizes of the MLP, comma-separated.")
    var hidden = "256"

    @Option(help: "MLP epochs at most.")
    var epochs = 200

    @Option(help: "Inverse L2 strength of logistic regression (scikit-learn's C).")
    var regularization: Float = 1

    @Option(help: "uniform or balanced class weights.")
    var classWeights: ClassWeighting = .uniform

    @Option(help: "MLP dropout rate.")
    var dropout: Float = 0

    @Option(help: "MLP: stop after this many epochs without improvement (of the validation loss, else the training loss).")
    var patience = 10

    @Option(help: "mean, max or mean-max.")
    var pooling: FeaturizerSettings.Pooling = .mean

    @Option(help: "none, tfidf or sif.")
    var weighting: FeaturizerSettings.Weighting = .none

    @Flag(help: "Scale document vectors to unit length.")
    var normalize = false

    @Option(help: "unicode (default, lowercased) or whitespace (fastText's).")
    var tokenizer: TokenizerKind = .unicode

    @Flag(help: "Keep case with the unicode tokenizer.")
    var keepCase = false

    @Option(help: "skip, fail or subwords (fastText .bin: n-gram vectors) for words without a vector.")
    var unknownWords: FeaturizerSettings.UnknownWords = .skip

    @OptionGroup var corpusOptions: CorpusOptions

    @Flag(help: "Store the training vocabulary's vectors in the model instead of a reference to the file.")
    var embedVectors = false

    @Option(help: "The seed for weight initialisation and shuffling.")
    var seed: UInt64 = 1

    @Option(help: "Where to write the model.")
    var output = "rotten-tomatoes.ekm"

    @Flag(help: "Print the test report as JSON.")
    var json = false

    func validate() throws {
        guard hiddenSizes != nil else { throw ValidationError("--hidden must be positive integers, comma-separated") }
        if epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1)") }
        if patience < 1 { throw ValidationError("--patience must be at least 1") }
        if regularization <= 0 { throw ValidationError("--regularization must be positive") }
        if let validationSplit, !(0 < validationSplit && validationSplit < 1) {
            throw ValidationError("--validation-split must be between 0 and 1")
        }
        if validationSplit != nil && valid != nil { throw ValidationError("give --valid or --validation-split, not both") }
    }

    private var hiddenSizes: [Int]? {
        let sizes = hidden.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        return sizes.allSatisfy { ($0 ?? 0) > 0 } && !sizes.isEmpty ? sizes.compactMap { $0 } : nil
    }

    func run() throws {
        let vectors = try fileOptions.load(embeddings)
        var corpus = try corpusOptions.read(train)
        var validation = try valid.map(corpusOptions.read)
        var generator = SplitMix64(seed: seed)
        if let validationSplit {
            (corpus, validation) = corpus.split(holdingOut: validationSplit, using: &generator)
        }
        let tokenizer: any Tokenizer = tokenizer == .whitespace
            ? WhitespaceTokenizer() : UnicodeTokenizer(caseFolding: keepCase ? .preserve : .lowercase)
        let featurizer = DocumentFeaturizer(embeddings: vectors, tokenizer: tokenizer, settings: FeaturizerSettings(
            pooling: pooling, weighting: weighting, normalize: normalize, unknownWords: unknownWords))
        let head: ClassifierHead
        switch classifier {
        case .logistic:
            var settings = LogisticRegressionSettings()
            settings.inverseRegularization = regularization
            settings.classWeighting = classWeights
            head = .logisticRegression(settings)
        case .mlp:
            var settings = MultilayerPerceptronSettings()
            settings.hiddenLayers = hiddenSizes!
            settings.epochs = epochs
            settings.dropout = dropout
            settings.patience = patience
            settings.classWeighting = classWeights
            head = .multilayerPerceptron(settings)
        }
        let progress = ProgressLine("training")
        let start = Date()
        let (model, coverage) = try reportingTrainingErrors {
            try TransferModel.train(strategy: strategy, featurizer: featurizer, head: head, on: corpus, validation: validation,
                                    using: &generator) { epoch, loss, accuracy in
                progress.show("step \(epoch): loss \(String(format: "%.4f", loss))"
                    + (accuracy.map { ", validation accuracy \(String(format: "%.4f", $0))" } ?? ""))
            }
        }
        progress.finish()
        let storage: TransferModel.EmbeddingStorage = embedVectors
            ? .embedded(vocabulary: Array(Set(corpus.documents.flatMap { tokenizer.tokens(in: $0.text) }))) : .reference
        try reportingTrainingErrors { try model.write(to: output, embeddings: storage) }
        StandardError.print("trained on \(corpus.documents.count) documents (\(model.labels.count) labels, token coverage "
            + "\(String(format: "%.1f", 100 * coverage))%) in \(String(format: "%.2f", Date().timeIntervalSince(start))) s; wrote \(output)")
        let testPath = test ?? (train == "Corpora/rotten-tomatoes/train.txt" ? "Corpora/rotten-tomatoes/test.txt" : nil)
        if let testPath {
            try TestCommand.report(model: .transfer(model), corpus: try corpusOptions.reader(testPath), options: corpusOptions,
                                   k: 1, json: json)
        }
    }
}

/// Runs `body`, turning training, featurizing and model-file errors into a message and exit code 1.
func reportingTrainingErrors<R>(_ body: () throws -> R) throws -> R {
    do {
        return try reportingFileErrors(body)
    } catch let error as TrainingError {
        StandardError.print("embkit: \(error)")
    } catch let error as FeaturizerError {
        StandardError.print("embkit: \(error)")
    } catch let error as TransferError {
        StandardError.print("embkit: \(error)")
    } catch let error as ModelFileError {
        StandardError.print("embkit: \(error)")
    }
    throw ExitCode.failure
}
