import ArgumentParser
import Classifiers
import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks
import Plots
import TextFeatures
import TransferLearning

extension TransferStrategy.Kind: ExpressibleByArgument {}
extension TrainableParts: ExpressibleByArgument {}
extension FeaturizerSettings.Pooling: ExpressibleByArgument {}
extension FeaturizerSettings.Weighting: ExpressibleByArgument {}
extension FeaturizerSettings.UnknownWords: ExpressibleByArgument {}
extension BadLinePolicy: ExpressibleByArgument {}
extension ClassWeighting: ExpressibleByArgument {}
extension BagOptimizer: ExpressibleByArgument {}

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

    @Option(help: "The training corpus (default: the shipped Rotten Tomatoes training set).")
    var train: String?

    @Option(help: "A validation corpus for early stopping.")
    var valid: String?

    @Option(parsing: .unconditional, help: "Hold out about this share of the training documents (each picked by a hash of --seed and its position, so the corpus need not be in memory) for early stopping instead of --valid.")
    var validationSplit: Double?

    @Option(help: "A test corpus to report on after training (default: the shipped test set when training on the shipped corpus).")
    var test: String?

    @Option(help: "The word vectors (default: the shipped GloVe 6B 50d subset).")
    var embeddings: String?

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Option(help: "fine-tune (the default), fixed-features, combine or auto (measured on the data; the choice and evidence are printed).")
    var strategy: TransferStrategy.Kind = .fineTune

    @Option(help: "logistic or mlp: the classifier of fixed features, the head of fine-tune (linear or one hidden layer).")
    var classifier: HeadKind = .logistic

    @Option(help: "Hidden layer sizes of the MLP (fixed features, combine, fine-tune with --classifier mlp), comma-separated.")
    var hidden = "256"

    @Option(parsing: .unconditional, help: "Epochs at most (default: 200 for the fixed-features MLP, 10 for fine-tune, 20 for combine).")
    var epochs: Int?

    @Option(parsing: .upToNextOption, help: "fine-tune: embeddings (every row trains; the default) or head (pre-trained rows stay as they are); with --encoder: all (the default), top N (transformer layers) or from LAYER.")
    var trainable: [String] = []

    @Option(help: "A sentence encoder to train on instead of word vectors: a sentence-transformers folder (config.json, model.safetensors, tokenizer.json).")
    var encoder: String?

    @Option(parsing: .unconditional, help: "With --encoder: cut texts to at most this many tokens, [CLS] and [SEP] included (default: the folder's max_seq_length; BERT recipes often use 128).")
    var maxLength: Int?

    @Option(parsing: .unconditional, help: "fine-tune with --encoder: the pre-trained layers' share of the learning rate (default 0.03: 3e-5 against the new layer's 1e-3).")
    var baseRateFactor: Float?

    @Option(parsing: .unconditional, help: "fine-tune with --encoder: each transformer layer's rate is this factor times the rate of the layer above it (layer-wise decay; default none).")
    var layerRateDecay: Float?

    @Option(parsing: .unconditional, help: "fine-tune and combine: the longest run of words hashed into an n-gram bucket (1: words only; default 2).")
    var wordNgrams: Int?

    @Option(help: "fine-tune: character n-gram lengths hashed into buckets, as MIN-MAX (e.g. 3-6), so unseen words still count.")
    var charNgrams: String?

    @Option(parsing: .unconditional, help: "fine-tune and combine: the learning rate (default: fine-tune 0.2 by SGD, 0.01 by Adam; combine 0.0025 by Adam, 0.05 by SGD). Given without --optimizer, fine-tune trains by SGD at any corpus size.")
    var lr: Float?

    @Option(help: "fine-tune and combine: sgd (fastText's; fine-tune's default from 3,000 documents) or adam (lazy Adam: only the rows an example uses update; combine's default, and fine-tune's below 3,000 documents).")
    var optimizer: BagOptimizer?

    @Option(parsing: .unconditional, help: "fine-tune and combine: the share of a document's tokens dropped at each step (default 0, combine 0.1).")
    var tokenDropout: Float?

    @Option(parsing: .unconditional, help: "fine-tune and combine: training threads (lock-free, as fastText; 1 gives the same model for the same seed).")
    var threads = 1

    @Option(parsing: .unconditional, help: "Inverse L2 strength of logistic regression (scikit-learn's C).")
    var regularization: Float = 1

    @Option(help: "uniform or balanced class weights.")
    var classWeights: ClassWeighting = .uniform

    @Option(parsing: .unconditional, help: "MLP dropout rate.")
    var dropout: Float = 0

    @Option(parsing: .unconditional, help: "MLP: stop after this many epochs without improvement (of the validation loss, else the training loss).")
    var patience = 10

    @Option(help: "mean, max or mean-max (combine: mean or mean-max).")
    var pooling: FeaturizerSettings.Pooling?

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

    @Flag(help: "Store every vector the model uses in the model file instead of a reference to the embedding file.")
    var selfContained = false

    @Option(help: "The seed for weight initialisation and shuffling.")
    var seed: UInt64 = 1

    @Option(help: "Where to write the model.")
    var output = "rotten-tomatoes.ekm"

    @Option(help: "Draw the training loss and validation accuracy per epoch into this SVG file (with a test set, the confusion matrix into FILE-confusion.svg too).")
    var plot: String?

    @Flag(help: "Print the test report as JSON (without a test set: strategy, documents, labels, token_coverage, seconds, model).")
    var json = false

    func validate() throws {
        try validateSharedOptions()
        if encoder != nil { return try validateEncoderOptions() }
        if let tokenDropout, !(0..<1).contains(tokenDropout) { throw ValidationError("--token-dropout must be in [0, 1)") }
        if let wordNgrams, !(1...5).contains(wordNgrams) { throw ValidationError("--word-ngrams must be 1 to 5") }
        let trainsBag = strategy == .fineTune || strategy == .combine || strategy == .auto
        if !trainsBag && (wordNgrams != nil || lr != nil || tokenDropout != nil || threads != 1 || optimizer != nil) {
            throw ValidationError("--word-ngrams, --lr, --optimizer, --token-dropout and --threads apply to fine-tune, combine and auto")
        }
        if !trainable.isEmpty && strategy != .fineTune { throw ValidationError("--trainable applies to fine-tune") }
        if !trainable.isEmpty && trainableParts == nil { throw ValidationError("--trainable takes embeddings or head (all, top N, from LAYER with --encoder)") }
        if baseRateFactor != nil || layerRateDecay != nil || maxLength != nil {
            throw ValidationError("--base-rate-factor, --layer-rate-decay and --max-length apply with --encoder")
        }
        if let charNgrams {
            guard strategy == .fineTune || strategy == .auto else { throw ValidationError("--char-ngrams applies to fine-tune and auto") }
            guard characterNgrams(charNgrams) != nil else { throw ValidationError("--char-ngrams takes MIN-MAX with 1 ≤ MIN ≤ MAX ≤ 32, e.g. 3-6") }
        }
        if strategy == .fineTune && (pooling != nil || weighting != .none || normalize) {
            throw ValidationError("fine-tune pools by mean; --pooling, --weighting and --normalize apply to fixed features")
        }
        if !(1...256).contains(threads) { throw ValidationError("--threads must be 1 to 256") }
        try validatePlotPath(plot)
        if strategy == .combine && pooling == .max { throw ValidationError("combine pools by mean or mean-max") }
        if let plot { try validateOutput(plot, option: "--plot", isNotAnyOf: [("--train", train), ("--valid", valid), ("--test", test), ("--embeddings", embeddings)]) }
    }

    /// The checks of options word vectors and encoders share: the head, epochs and rate, the
    /// validation split, and an output that names none of the inputs.
    private func validateSharedOptions() throws {
        guard let hiddenSizes else { throw ValidationError(hiddenSizesRule) }
        try validateHiddenLayerMemory(hiddenSizes)
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be positive") }
        if strategy == .fixedFeatures && classifier == .logistic && epochs != nil {
            throw ValidationError("--epochs does not apply to logistic regression (L-BFGS runs until it converges)")
        }
        if !(0..<1).contains(dropout) { throw ValidationError("--dropout must be in [0, 1)") }
        if patience < 1 { throw ValidationError("--patience must be at least 1") }
        if regularization <= 0 { throw ValidationError("--regularization must be positive") }
        if let validationSplit, !(0 < validationSplit && validationSplit < 1) {
            throw ValidationError("--validation-split must be between 0 and 1")
        }
        if validationSplit != nil && valid != nil { throw ValidationError("give --valid or --validation-split, not both") }
        try validateOutput(output, isNotAnyOf: [("--train", train), ("--valid", valid), ("--test", test), ("--embeddings", embeddings)])
    }

    /// `MIN-MAX` as a range of 1…32, or nil when malformed.
    private func characterNgrams(_ text: String) -> ClosedRange<Int>? {
        let bounds = text.split(separator: "-").map { Int($0) }
        guard bounds.count == 2, let low = bounds[0], let high = bounds[1], 1 <= low, low <= high, high <= 32 else { return nil }
        return low...high
    }

    var hiddenSizes: [Int]? { hiddenLayerSizes(hidden) }

    /// The documents `--validation-split` holds out (nil without it).
    var heldOutSelection: HeldOutSelection? { validationSplit.map { HeldOutSelection(share: $0, seed: seed) } }

    /// `--trainable` for word vectors (nil when not given or not one of their parts).
    private var trainableParts: TrainableParts? { trainable.count == 1 ? TrainableParts(rawValue: trainable[0]) : nil }

    func run() throws {
        if let encoder { return try runOnEncoder(encoder) }
        let vectors = try fileOptions.load(embeddings ?? ShippedData.path(ShippedData.embeddings))
        if unknownWords == .subwords && !vectors.hasSubwords {
            StandardError.print("embkit: \(vectors.metadata.sourcePath): --unknown-words subwords needs character n-gram vectors "
                + "(a fastText .bin file); this \(vectors.metadata.format) file has none")
            throw ExitCode.validationFailure
        }
        let trainingPath = train ?? ShippedData.path(ShippedData.trainingCorpus)
        let validation = try valid.map(corpusOptions.read)
        let selection = heldOutSelection
        let tokenizer: any Tokenizer = tokenizer == .whitespace
            ? WhitespaceTokenizer() : UnicodeTokenizer(caseFolding: keepCase ? .preserve : .lowercase)
        let featurizer = DocumentFeaturizer(embeddings: vectors, tokenizer: tokenizer, settings: FeaturizerSettings(
            pooling: pooling ?? .mean, weighting: weighting, normalize: normalize, unknownWords: unknownWords))
        let progress = ProgressLine("training")
        let start = Date()
        let maximumEpochs = plannedEpochs
        // The last epoch seen and the best validation accuracy, for the summary line.
        var epochsRun = 0, best: (accuracy: Double, epoch: Int)?, curve: [TrainingCurvePlot.Point] = []
        let model = try reportingTrainingErrors(data: trainingPath) {
            try trainModel(featurizer: featurizer, trainingPath: trainingPath, selection: selection, validation: validation) { epoch, loss, accuracy in
                // auto trains several candidates one after the other: count the last run only.
                if epoch <= epochsRun { (best, curve) = (nil, []) }
                epochsRun = epoch
                curve.append(TrainingCurvePlot.Point(epoch: epoch, loss: loss, validationAccuracy: accuracy))
                if let accuracy, accuracy > best?.accuracy ?? -1 { best = (accuracy, epoch) }
                let step = strategy == .fixedFeatures && classifier == .logistic ? "iteration" : "epoch"
                progress.show("\(step) \(epoch)\(maximumEpochs.map { " of \($0)" } ?? ""): loss \(String(format: "%.4f", loss))"
                              + (accuracy.map { ", validation accuracy \(String(format: "%.4f", $0))" } ?? ""),
                              fraction: maximumEpochs.map { Double(epoch) / Double($0) })
            }
        }
        progress.finish()
        let quiet = fileOptions.progressOptions.quiet
        if let advice = model.advice, !quiet { StandardError.print("auto chose \(advice)") }
        try reportingTrainingErrors { try model.write(to: output, embeddings: selfContained ? .selfContained : .reference) }
        let seconds = Date().timeIntervalSince(start), documents = model.trainingDocumentCount ?? 0
        let rounds = strategy == .fixedFeatures && classifier == .logistic ? "L-BFGS iterations" : "epochs"
        if !quiet {
            StandardError.print("trained \(model.strategy.kind.rawValue) on \(documents) documents (\(model.labels.count) labels, "
                + "token coverage \(String(format: "%.1f", 100 * model.trainingCoverage))%) in \(String(format: "%.2f", seconds)) s, "
                + "\(epochsRun) \(rounds)" + (best.map { " (best validation accuracy \(String(format: "%.4f", $0.accuracy)) at epoch \($0.epoch))" } ?? "")
                + "; wrote \(output)")
        }
        if let plot {
            let title = "\(model.strategy.kind.rawValue) on \(URL(fileURLWithPath: trainingPath).lastPathComponent), "
                + "\(documents) documents"
            try writePlot(TrainingCurvePlot(points: curve, title: title, stepName: rounds == "epochs" ? "epoch" : "L-BFGS iteration").svg,
                          to: plot)
        }
        try printResult(model, documents: documents, seconds: seconds, confusionPlot: plot.map { String($0.dropLast(4)) + "-confusion.svg" })
    }

    /// The test report on `--test` (or the shipped test set when training on the shipped corpus),
    /// or without a test set and with `--json`, what trained.
    func printResult(_ model: TransferModel, documents: Int, seconds: Double, confusionPlot: String?) throws {
        if let testPath = test ?? (train == nil ? ShippedData.path(ShippedData.testCorpus) : nil) {
            try TestCommand.report(model: model, corpus: try corpusOptions.reader(testPath), options: corpusOptions, k: 1, json: json, plot: confusionPlot)
        } else if json {
            print(JSONValue.object([
                ("strategy", .string(model.strategy.kind.rawValue)), ("documents", .integer(documents)),
                ("labels", .array(model.labels.map(JSONValue.string))), ("token_coverage", .double(model.trainingCoverage)),
                ("seconds", .double(seconds)), ("model", .string(output)),
            ]).rendered)
        }
    }

    /// Trains by `--strategy`, reading the training corpus once per epoch where the strategy
    /// allows; `auto` reads it into memory and lets the advisor choose.
    private func trainModel(featurizer: DocumentFeaturizer, trainingPath: String, selection: HeldOutSelection?,
                            validation: LabeledCorpus?, progress: @escaping TrainingProgress) throws -> TransferModel {
        switch strategy {
        case .auto:
            let (corpus, validation) = try corpusOptions.read(trainingPath).holdingOut(selection, validation: validation)
            return try StrategyAdvisor(seed: seed).train(featurizer: featurizer, on: corpus, validation: validation,
                                                         strategies: strategies, progress: progress)
        case .usePretrained:
            throw ValidationError("use-pretrained does not train: give a supervised fastText model to predict or test")
        default:
            let source = ReportedCorpus(reader: try corpusOptions.reader(trainingPath), options: corpusOptions)
            return try TransferModel.train(strategies.strategy(strategy), featurizer: featurizer, head: head, reading: source,
                                           holdingOut: selection, validation: validation, seed: seed, progress: progress)
        }
    }

    /// The most epochs training can run (nil where it is not known in advance: L-BFGS, auto).
    private var plannedEpochs: Int? {
        switch (strategy, classifier) {
        case (.fineTune, _): strategies.fineTuning.training.epochs
        case (.combine, _): strategies.combination.training.epochs
        case (.fixedFeatures, .mlp): epochs ?? MultilayerPerceptronSettings().epochs
        default: nil
        }
    }

    /// The fixed-features classifier the options describe.
    var head: ClassifierHead {
        switch classifier {
        case .logistic:
            var settings = LogisticRegressionSettings()
            settings.inverseRegularization = regularization
            settings.classWeighting = classWeights
            return .logisticRegression(settings)
        case .mlp:
            var settings = MultilayerPerceptronSettings()
            settings.hiddenLayers = hiddenSizes!
            settings.epochs = epochs ?? settings.epochs
            settings.dropout = dropout
            settings.patience = patience
            settings.classWeighting = classWeights
            return .multilayerPerceptron(settings)
        }
    }

    /// The settings of every strategy the options describe.
    private var strategies: StrategySettings {
        var fineTuning = FineTuning()
        fineTuning.trainable = trainableParts ?? fineTuning.trainable
        fineTuning.wordNgrams = wordNgrams ?? fineTuning.wordNgrams
        fineTuning.characterNgrams = charNgrams.flatMap(characterNgrams)
        fineTuning.hiddenLayers = classifier == .mlp ? hiddenSizes! : []
        var combination = Combination()
        combination.hiddenLayers = hiddenSizes!
        combination.wordNgrams = wordNgrams ?? combination.wordNgrams
        if let pooling { combination.pooling = pooling == .meanAndMax ? .meanAndMax : .mean }
        fineTuning.training.epochs = epochs ?? fineTuning.training.epochs
        combination.training.epochs = epochs ?? combination.training.epochs
        if let optimizer {
            fineTuning.training.use(optimizer)
            combination.training.use(optimizer)
        }
        // A rate or an optimizer given is meant as given: no switch by corpus size.
        if optimizer != nil || lr != nil { fineTuning.smallCorpus = nil }
        fineTuning.training.learningRate = lr ?? fineTuning.training.learningRate
        combination.training.learningRate = lr ?? combination.training.learningRate
        fineTuning.training.tokenDropout = tokenDropout ?? fineTuning.training.tokenDropout
        combination.training.tokenDropout = tokenDropout ?? combination.training.tokenDropout
        fineTuning.training.threadCount = threads
        combination.training.threadCount = threads
        return StrategySettings(fixedFeaturesHead: head, fineTuning: fineTuning, combination: combination)
    }
}

/// Runs `body`, turning training, featurizing and file errors into a message and exit code 1;
/// errors about the data are prefixed with `data`, the file they come from.
func reportingTrainingErrors<R>(data: String? = nil, _ body: () throws -> R) throws -> R {
    let prefix = "embkit: " + (data.map { "\($0): " } ?? "")
    do {
        return try reportingFileErrors(body)
    } catch let error as TrainingError {
        StandardError.print(prefix + "\(error)")
    } catch let error as FeaturizerError {
        StandardError.print(prefix + "\(error)")
    } catch let error as TransferError {
        StandardError.print(prefix + "\(error)")
    }
    throw ExitCode.failure
}

/// What `--hidden` takes (said when it is refused).
let hiddenSizesRule = "--hidden takes 1 to 8 layer sizes of 1 to 65,536, comma-separated"

/// `--hidden`'s comma-separated layer sizes, or nil when malformed or out of range (so no size
/// can ask for more memory than a machine has).
/// Refuses hidden layers whose weights between them alone would not fit in half of this machine's
/// memory once training holds them with their gradients and Adam's two moments (16 bytes each), so
/// `--hidden 65536,65536` is an error naming the need, not a 16 GiB allocation.
func validateHiddenLayerMemory(_ sizes: [Int]) throws {
    let weights = zip(sizes, sizes.dropFirst()).reduce(0) { $0 + $1.0 * $1.1 }
    let needed = Double(weights) * 16, available = Double(ProcessInfo.processInfo.physicalMemory) / 2
    guard needed <= available else {
        throw ValidationError("--hidden \(sizes.map(String.init).joined(separator: ",")) needs \(weights) weights between its layers, "
            + String(format: "%.1f GiB to train; half of this machine's memory is %.1f GiB", needed / 1_073_741_824, available / 1_073_741_824))
    }
}

func hiddenLayerSizes(_ text: String) -> [Int]? {
    let sizes = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
    guard (1...8).contains(sizes.count), sizes.allSatisfy({ (1...65_536).contains($0 ?? 0) }) else { return nil }
    return sizes.compactMap { $0 }
}
