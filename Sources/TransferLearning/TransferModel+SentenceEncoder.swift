import Classifiers
import LinearAlgebra
import NeuralNetworks
import TextFeatures

extension TransferModel {
    /// Trains a text classifier on `corpus` by `strategy`, reusing a pre-trained sentence encoder:
    /// - `fixedFeatures`: the frozen encoder's sentence embeddings, computed once, train `head`;
    /// - `fineTune`: a new output layer on the sentence embedding (after dropout 0.1) trains with
    ///   the transformer layers `FineTuning.encoderLayers` chooses (all by default, at 0.03 of the
    ///   rate), optionally with layer-wise rate decay;
    /// - `combine`: the encoder frozen and a new head (`Combination.hiddenLayers`, ReLU, dropout
    ///   0.1) trained on its embeddings, computed once, until the validation loss stops falling —
    ///   without `validation`, on a tenth of the documents held out (picked by `seed`).
    /// Each gives one network from WordPiece ids to the classes, which a model file stores as the
    /// weights it trained and a reference to the encoder folder (with content fingerprints).
    /// - Parameters:
    ///   - strategy: how the encoder is reused.
    ///   - encoder: the pre-trained sentence encoder.
    ///   - corpus: the labelled training documents (one label each).
    ///   - validation: for early stopping (and reported through `progress`).
    ///   - head: the classifier of fixed features.
    ///   - settings: the schedule (`TrainingSettings.forSentenceEncoder(_:documentCount:)` when nil).
    ///   - seed: drives initialisation, shuffling and dropout.
    ///   - progress: epoch (or L-BFGS iteration), training loss and validation accuracy.
    ///   - stepProgress: after each mini-batch step, the steps done and planned.
    /// - Throws: `TransferError` for a strategy that does not train here or documents with several
    ///   labels, `TrainingError` for one class only or divergence, `GraphError` for layers that do
    ///   not exist.
    public static func train(
        _ strategy: TransferStrategy, sentenceEncoder encoder: SentenceEncoder, on corpus: LabeledCorpus, validation: LabeledCorpus? = nil,
        head: ClassifierHead = .logisticRegression(), settings: TrainingSettings? = nil, seed: UInt64 = 1,
        progress: TrainingProgress? = nil, stepProgress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> TransferModel {
        let labels = corpus.labels
        guard labels.count >= 2 else {
            throw TrainingError.invalidData("at least two classes are needed to train, the corpus has \(labels.count)"
                                            + (labels.first.map { " (\($0))" } ?? ""))
        }
        if let document = (corpus.documents + (validation?.documents ?? [])).first(where: { $0.labels.count != 1 }) {
            throw TransferError.unsupported(strategy.kind, inputs: "documents with several labels (line \(document.line)) on a sentence encoder")
        }
        var corpus = corpus, validation = validation
        if case .combine = strategy, validation == nil {
            let parts = corpus.split(by: HeldOutSelection(share: 0.1, seed: seed))
            if !parts.heldOut.documents.isEmpty && !parts.kept.documents.isEmpty { (corpus, validation) = (parts.kept, parts.heldOut) }
        }
        func sentences(_ corpus: LabeledCorpus) throws -> SentenceBatches {
            SentenceBatches(encoder: encoder, texts: corpus.documents.map(\.text), classes: try corpus.classIndices(labels: labels))
        }
        let transfer = SentenceEncoderTransfer(
            encoder: encoder, examples: try sentences(corpus), labels: labels, validation: try validation.map(sentences),
            settings: settings ?? .forSentenceEncoder(strategy, documentCount: corpus.documents.count), seed: seed, progress: progress, stepProgress: stepProgress)
        let body: SentenceEncoderClassifier
        switch strategy {
        case .usePretrained: throw TransferError.notTrainable(.usePretrained)
        case .fromScratch: throw TransferError.unsupported(.fromScratch, inputs: "texts")
        case .fixedFeatures: body = try transfer.fixedFeatures(head: head)
        case .fineTune(let fineTuning): body = try transfer.fineTune(fineTuning)
        case .combine(let combination): body = try transfer.combine(hiddenLayers: combination.hiddenLayers)
        }
        var model = TransferModel(strategy: strategy, labels: labels, body: body, trainingCoverage: encoder.coverage(of: transfer.examples.encoded))
        model.trainingDocumentCount = corpus.documents.count
        return model
    }
}

extension TrainingSettings {
    /// The schedule of a strategy on a sentence encoder for `documentCount` training documents,
    /// in batches of 32. Fine-tune: PyTorch's usual BERT recipe — AdamW at 1e-3 for the new layer
    /// (the encoder at its share, 3e-5 by default), 10% warm-up then linear decay, gradients
    /// clipped to norm 1 — for 2 epochs, or up to 10 when that makes fewer than 600 steps (small
    /// corpora need more passes to move the new layer at all). Combine: Adam at 1e-3 on the cached
    /// embeddings for at most 200 epochs, stopped 4 epochs after the validation loss last fell.
    public static func forSentenceEncoder(_ strategy: TransferStrategy, documentCount: Int) -> TrainingSettings {
        var settings = TrainingSettings()
        settings.batchSize = 32
        let stepsPerEpoch = max(1, (documentCount + settings.batchSize - 1) / settings.batchSize)
        func epochs(forSteps steps: Int) -> Int { (steps + stepsPerEpoch - 1) / stepsPerEpoch }
        switch strategy {
        case .fineTune:
            settings.epochs = min(10, max(2, epochs(forSteps: 600)))
            settings.optimizer = OptimizerSettings(.adamW)
            settings.schedule = .warmupLinear(warmup: 0.1)
            settings.gradientClipNorm = 1
        default:
            settings.epochs = 200
        }
        return settings
    }
}
