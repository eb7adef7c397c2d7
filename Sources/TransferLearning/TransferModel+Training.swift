import Classifiers
import EmbeddingStore
import LinearAlgebra
import NeuralNetworks
import TextFeatures

extension TransferModel {
    /// Trains a model on `corpus` by `strategy`.
    /// - Parameters:
    ///   - strategy: how the embeddings are reused.
    ///   - corpus: the labelled training documents.
    ///   - featurizer: the embeddings and tokenizer every strategy uses; its pooling and weighting
    ///     settings apply to fixed features (fitted on the training texts when they need it).
    ///   - head: the classifier of fixed features.
    ///   - validation: for early stopping (and reported through `progress`).
    ///   - seed: drives initialisation, shuffling and dropout; the same seed gives the same model
    ///     (on one thread for the embedding-bag strategies).
    ///   - progress: epoch (or L-BFGS iteration), training loss and validation accuracy.
    /// Documents with several labels train one-vs-all: one logistic regression per label (fixed
    /// features), or one sigmoid output per label (fine-tune and combine, fastText's `-loss ova`).
    /// - Throws: `TrainingError` (divergence, one class only), `FeaturizerError`,
    ///   `TransferError.multiLabel` for multi-label data with a fixed-features MLP, `.notTrainable`
    ///   for use-pretrained.
    public static func train(
        _ strategy: TransferStrategy = .fixedFeatures, featurizer: DocumentFeaturizer,
        head: ClassifierHead = .logisticRegression(), on corpus: LabeledCorpus, validation: LabeledCorpus? = nil,
        seed: UInt64 = 1, progress: TrainingProgress? = nil
    ) throws -> TransferModel {
        let labels = corpus.labels
        let multiLabel = corpus.documents.first { $0.labels.count != 1 }
        if strategy.kind != .usePretrained && labels.count < 2 {
            throw TrainingError.invalidData("at least two classes are needed to train, the corpus has \(labels.count)"
                                            + (labels.first.map { " (\($0))" } ?? ""))
        }
        switch strategy {
        case .usePretrained:
            throw TransferError.notTrainable(.usePretrained)
        case .fromScratch:
            throw TransferError.unsupported(.fromScratch, inputs: "texts")
        case .fixedFeatures:
            if let document = multiLabel {
                guard case .logisticRegression(let settings) = head else { throw TransferError.multiLabel(line: document.line) }
                let fitted = featurizer.fitted(on: corpus.documents.map(\.text))
                let (features, labelSets, coverage) = try fitted.multiLabelFeatures(corpus, labels: labels)
                let model = try OneVersusAll.train(features: features, labelSets: labelSets, labelCount: labels.count, configuration: settings)
                var trained = TransferModel(strategy: strategy, labels: labels, body: PooledFeaturesModel(featurizer: fitted, head: .oneVersusAll(model)),
                                            trainingCoverage: coverage)
                trained.trainingDocumentCount = corpus.documents.count
                return trained
            }
            return try trainFixedFeatures(featurizer: featurizer, head: head, on: corpus, validation: validation, labels: labels,
                                          seed: seed, progress: progress)
        case .fineTune, .combine:
            return try trainBag(strategy, featurizer: featurizer, reading: corpus, holdingOut: nil, validation: validation,
                                seed: seed, progress: progress)
        }
    }

    /// Trains a model on the documents `source` reads, without holding the corpus in memory where
    /// the strategy allows: fine-tune and combine read it once to build the vocabulary, then once
    /// per epoch a chunk at a time (see `EncodedDocuments`); fixed features read it into memory,
    /// since their classifier needs every feature row at once.
    /// - Parameters:
    ///   - strategy: how the embeddings are reused.
    ///   - featurizer: the embeddings and tokenizer (and the fixed-features pooling and weighting).
    ///   - head: the classifier of fixed features.
    ///   - source: the labelled training documents, read once per pass.
    ///   - selection: documents held out of training as validation data (beside `validation`,
    ///     which it replaces when given).
    ///   - validation: for early stopping (and reported through `progress`).
    ///   - seed: drives initialisation, shuffling and dropout (the same seed, the same model on one thread).
    ///   - progress: epoch (or L-BFGS iteration), training loss and validation accuracy.
    /// - Throws: as that method, plus `EmbeddingFileError` from reading and
    ///   `TransferError.corpusChanged` when the file changes between passes.
    public static func train(
        _ strategy: TransferStrategy = .fixedFeatures, featurizer: DocumentFeaturizer,
        head: ClassifierHead = .logisticRegression(), reading source: some DocumentSource,
        holdingOut selection: HeldOutSelection? = nil, validation: LabeledCorpus? = nil,
        seed: UInt64 = 1, progress: TrainingProgress? = nil
    ) throws -> TransferModel {
        switch strategy {
        case .fineTune, .combine:
            return try trainBag(strategy, featurizer: featurizer, reading: source, holdingOut: selection, validation: validation,
                                seed: seed, progress: progress)
        case .usePretrained, .fixedFeatures, .fromScratch:
            break
        }
        var documents: [LabeledDocument] = []
        try source.forEachDocument { documents.append($0) }
        guard !documents.isEmpty else { throw EmbeddingFileError(path: source.path, location: .file, kind: .empty, message: "the corpus holds no documents") }
        let (corpus, validation) = LabeledCorpus(documents: documents, path: source.path).holdingOut(selection, validation: validation)
        return try train(strategy, featurizer: featurizer, head: head, on: corpus, validation: validation, seed: seed, progress: progress)
    }

    private static func trainFixedFeatures(
        featurizer: DocumentFeaturizer, head: ClassifierHead, on corpus: LabeledCorpus, validation: LabeledCorpus?,
        labels: [String], seed: UInt64, progress: TrainingProgress?
    ) throws -> TransferModel {
        let fitted = featurizer.fitted(on: corpus.documents.map(\.text))
        let held = try validation.map { (inputs: $0.documents.map(\.text), classes: try $0.classIndices(labels: labels)) }
        let (trained, coverage) = try trainHead(head, extractor: fitted, inputs: corpus.documents.map(\.text),
                                                classes: try corpus.classIndices(labels: labels), classCount: labels.count,
                                                validation: held, seed: seed, progress: progress)
        var model = TransferModel(strategy: .fixedFeatures, labels: labels, body: PooledFeaturesModel(featurizer: fitted, head: trained), trainingCoverage: coverage)
        model.trainingDocumentCount = corpus.documents.count
        return model
    }

    /// Fixed features for any extractor: its features of `inputs`, computed once, train `head`;
    /// returns the classifier and the extractor's mean coverage of the training inputs.
    static func trainHead<Extractor: FeatureExtractor>(
        _ head: ClassifierHead, extractor: Extractor, inputs: Extractor.Inputs, classes: [Int], classCount: Int,
        validation: (inputs: Extractor.Inputs, classes: [Int])?, seed: UInt64, progress: TrainingProgress?
    ) throws -> (TrainedClassifier, coverage: Double) {
        let (features, coverage) = try extractor.extractFeatures(from: inputs)
        let training = try TrainingSet(features: features, labels: classes, classCount: classCount)
        let held = try validation.map {
            try TrainingSet(features: try extractor.extractFeatures(from: $0.inputs).features, labels: $0.classes, classCount: classCount)
        }
        switch head {
        case .logisticRegression(let settings):
            return (.logisticRegression(try LogisticRegression.train(on: training, validation: held, configuration: settings,
                                                                      progress: progress)), coverage)
        case .multilayerPerceptron(let settings):
            var generator = SplitMix64(seed: seed)
            return (.multilayerPerceptron(try MultilayerPerceptron.train(
                on: training, validation: held, configuration: settings, using: &generator, progress: progress)), coverage)
        }
    }

    /// Fine-tune or combine on `source`: one pass fits the encoder, finds the labels and collects
    /// the held-out documents, then training reads the source again each epoch.
    private static func trainBag(
        _ strategy: TransferStrategy, featurizer: DocumentFeaturizer, reading source: some DocumentSource,
        holdingOut selection: HeldOutSelection?, validation: LabeledCorpus?, seed: UInt64, progress: TrainingProgress?
    ) throws -> TransferModel {
        var recipe = TextBagModel.Recipe(strategy)!
        var fitting = TextBagEncoder.Fitting(embeddings: featurizer.embeddings, tokenizer: featurizer.tokenizer,
                                             wordNgrams: recipe.wordNgrams, characterNgrams: recipe.characterNgrams)
        var labelSet = Set<String>(), heldOut: [LabeledDocument] = [], ordinal = 0
        try source.forEachDocument { document in
            defer { ordinal += 1 }
            if selection?.holdsOut(ordinal) == true { return heldOut.append(document) }
            guard !document.labels.isEmpty else { throw TransferError.unknownLabel("", line: document.line) }
            if document.labels.count > 1 { recipe.loss = .oneVersusAll }
            labelSet.formUnion(document.labels)
            fitting.add(document.text)
        }
        guard fitting.textCount > 0 else {
            throw EmbeddingFileError(path: source.path, location: .file, kind: .empty, message: "the corpus holds no documents")
        }
        let strategy = strategy.applyingSmallCorpusRule(documents: fitting.textCount)
        recipe.training = TextBagModel.Recipe(strategy)!.training
        let labels = labelSet.sorted()
        guard labels.count >= 2 else {
            throw TrainingError.invalidData("at least two classes are needed to train, the corpus has \(labels.count)"
                                            + (labels.first.map { " (\($0))" } ?? ""))
        }
        let encoder = fitting.encoder()
        let examples = EncodedDocuments(source: source, encoder: encoder, labels: labels, count: fitting.textCount, heldOut: selection)
        let held = heldOut.isEmpty ? validation : LabeledCorpus(documents: heldOut, path: source.path)
        let validationExamples = try held.map { try EncodedDocuments.examples($0.documents, encoder: encoder, labels: labels) }
        let model = try TextBagModel.train(recipe, encoder: encoder, examples: examples, validation: validationExamples,
                                           embeddings: featurizer.embeddings, seed: seed, progress: progress)
        var trained = TransferModel(strategy: strategy, labels: labels, body: model, trainingCoverage: fitting.coverage)
        trained.trainingDocumentCount = fitting.textCount
        return trained
    }
}

extension LabeledCorpus {
    /// Each document's class index (its first label) among `labels`.
    /// - Throws: `TransferError.unknownLabel` for a label outside `labels`.
    func classIndices(labels: [String]) throws -> [Int] {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        return try documents.map { document in
            guard let label = document.labels.first, let classIndex = index[label] else {
                throw TransferError.unknownLabel(document.labels.first ?? "", line: document.line)
            }
            return classIndex
        }
    }
}

extension DocumentFeaturizer {
    /// The features of `corpus`, each document's label indices, and the mean token coverage.
    func multiLabelFeatures(_ corpus: LabeledCorpus, labels: [String]) throws -> (Matrix, [[Int]], Double) {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let (features, coverage) = try featureMatrix(for: corpus.documents.map(\.text))
        return (features, corpus.documents.map { $0.labels.compactMap { index[$0] } }, coverage)
    }

    /// The features and class indices of `corpus` (each document's first label), and the mean
    /// token coverage.
    /// - Throws: `TransferError.unknownLabel` for a label outside `labels`, `FeaturizerError`.
    public func trainingSet(_ corpus: LabeledCorpus, labels: [String]) throws -> (set: TrainingSet, coverage: Double) {
        let classes = try corpus.classIndices(labels: labels)
        let (features, coverage) = try featureMatrix(for: corpus.documents.map(\.text))
        return (try TrainingSet(features: features, labels: classes, classCount: labels.count), coverage)
    }
}
