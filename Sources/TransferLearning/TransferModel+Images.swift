import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

extension TransferModel {
    /// A pre-trained ConvNet used as it is, on its own classes.
    public init(backbone: ConvNetBackbone) {
        self.init(strategy: .usePretrained, labels: backbone.classNames, body: .convNet(backbone))
    }

    /// Trains an image classifier on `images` by `strategy`, reusing `backbone`:
    /// - `fixedFeatures`: the backbone's feature-layer activations, computed once, train `head`;
    /// - `fineTune`: the backbone with a new output layer trains further, all of it (the
    ///   pre-trained layers at a smaller rate) or only its top layers (`FineTuning.backboneLayers`);
    /// - `combine`: the backbone up to its feature layer stays frozen and a new dense head
    ///   (`Combination.hiddenLayers`, ReLU, dropout) trains on it, one batch at a time, augmented;
    /// - `fromScratch`: the backbone's small ConvNet from random weights, every layer trained.
    /// - Parameters:
    ///   - strategy: how the backbone is reused.
    ///   - backbone: the pre-trained ConvNet.
    ///   - images: the labelled training images.
    ///   - head: the classifier of fixed features.
    ///   - seed: drives initialisation, shuffling, augmentation and dropout.
    ///   - progress: epoch (or L-BFGS iteration), training loss and validation accuracy.
    ///   - settings: the schedule and augmentation of the strategies that train a network
    ///     (`ImageTrainingSettings.forTransfer(imageCount:)` when nil).
    ///   - validation: for early stopping (and reported through `progress`).
    /// - Throws: `TransferError` for images of another shape or a strategy that does not train,
    ///   `TrainingError` for one class only or divergence.
    public static func train(
        _ strategy: TransferStrategy, backbone: ConvNetBackbone, on images: ImageSet, validation: ImageSet? = nil,
        head: ClassifierHead = .logisticRegression(), settings: ImageTrainingSettings? = nil, seed: UInt64 = 1,
        progress: TrainingProgress? = nil
    ) throws -> TransferModel {
        try checkTrainable(images, validation: validation, inputShape: backbone.inputShape)
        let settings = settings ?? .forTransfer(imageCount: images.count)
        let labels = images.classNames
        switch strategy {
        case .usePretrained:
            throw TransferError.notTrainable(.usePretrained)
        case .fixedFeatures:
            let held = validation.map { (inputs: $0, classes: $0.labels) }
            let (trained, _) = try trainHead(head, extractor: backbone, inputs: images, classes: images.labels, classCount: labels.count,
                                             validation: held, seed: seed, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .imageFeatures(backbone, trained))
        case .fineTune(let fineTuning):
            let network = try backbone.fineTuned(classCount: labels.count, layers: fineTuning.backboneLayers, images: images,
                                                 validation: validation, settings: settings, seed: seed, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .convNet(backbone.replacing(network, classNames: labels)))
        case .combine(let combination):
            let network = try backbone.combined(hiddenLayers: combination.hiddenLayers, classCount: labels.count, images: images,
                                                validation: validation, settings: settings, seed: seed, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .convNet(backbone.replacing(network, classNames: labels)))
        case .fromScratch:
            var fresh = try ConvNetBackbone.smallConvNet(inputShape: images.shape, classNames: labels,
                                                         normalization: PixelNormalization(measuring: images), seed: seed)
            try fresh.network.train(images, normalization: fresh.normalization, validation: validation, settings: settings,
                                    seed: seed &+ 1, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .convNet(fresh))
        }
    }

    /// The shape images must have for this model (nil for a text model).
    public var imageInputShape: MapShape? {
        switch body {
        case .convNet(let backbone), .imageFeatures(let backbone, _): backbone.inputShape
        case .graphNet(let backbone), .graphFeatures(let backbone, _): backbone.inputShape
        case .pooledFeatures, .embeddingBag, .fastText: nil
        }
    }

    /// The length a photo's shorter side is scaled to before the centre crop to `imageInputShape`
    /// (nil: straight to the input size).
    public var imageShorterSide: Int? {
        switch body {
        case .graphNet(let backbone), .graphFeatures(let backbone, _): backbone.preprocessing.shorterSide
        default: nil
        }
    }

    /// Class probabilities for each image (rows).
    /// - Throws: `TransferError.wrongInputs` for a text model, `.imageShape` for images of another shape.
    public func probabilities(for images: ImageSet) throws -> Matrix {
        switch body {
        case .convNet(let backbone):
            guard images.shape == backbone.inputShape else { throw TransferError.imageShape(images.shape, expected: backbone.inputShape) }
            return backbone.network.probabilities(images.inputs(normalization: backbone.normalization))
        case .imageFeatures(let backbone, let head):
            return head.classifier.probabilities(for: try backbone.extractFeatures(from: images).features)
        case .graphNet(let backbone):
            guard images.shape == backbone.inputShape else { throw TransferError.imageShape(images.shape, expected: backbone.inputShape) }
            var scores = backbone.logits(of: images)
            guard !backbone.outputsProbabilities else { return scores }
            let width = scores.columns
            scores.withUnsafeMutableBufferPointer { values in
                for row in 0..<images.count { Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)])) }
            }
            return scores
        case .graphFeatures(let backbone, let head):
            return head.classifier.probabilities(for: try backbone.extractFeatures(from: images).features)
        case .pooledFeatures, .embeddingBag, .fastText:
            throw TransferError.wrongInputs(expected: "texts")
        }
    }

    /// The `k` most probable labels of every image with probability at least `threshold`, best first.
    public func predict(images: ImageSet, k: Int = 1, threshold: Float = 0) throws -> [[Prediction]] {
        let probabilities = try probabilities(for: images)
        return (0..<images.count).map { row in
            probabilities.withRow(row) { scores in
                Kernels.topK(scores, k: k).filter { $0.score >= threshold }.map { Prediction(label: labels[$0.index], probability: $0.score) }
            }
        }
    }

    /// Scores the model on labelled images, matched to the model's labels by class name.
    /// - Throws: `TransferError.unknownLabel` for a class the model was not trained on, `.emptyCorpus` for no images.
    public func evaluate(on images: ImageSet, k: Int = 1) throws -> ClassificationReport {
        try evaluate(try predict(images: images, k: k), against: images, k: k)
    }

    /// Scores `predictions` (this model's `predict(images:k:)` of `images`, at least `k` per
    /// image) against the images' classes, for a caller that also uses the predictions.
    /// - Throws: as `evaluate(on:k:)`.
    public func evaluate(_ predictions: [[Prediction]], against images: ImageSet, k: Int = 1) throws -> ClassificationReport {
        precondition(predictions.count == images.count, "evaluate: \(predictions.count) predictions for \(images.count) images")
        guard images.count > 0 else { throw TransferError.emptyCorpus }
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        let gold = try images.labels.enumerated().map { position, label in
            guard let found = index[images.classNames[label]] else { throw TransferError.unknownLabel(images.classNames[label], line: position + 1) }
            return found
        }
        var tally = ClassificationTally(classCount: labels.count, k: k)
        for (predictions, classIndex) in zip(predictions, gold) {
            tally.add(predicted: predictions.compactMap { index[$0.label] }, gold: [classIndex])
        }
        return ClassificationReport(tally)
    }
}

extension TransferModel {
    /// Checks training images (and validation images) against a network's input.
    /// - Throws: `TransferError.imageShape`, `TrainingError.invalidData` for one class only or a validation set that differs.
    static func checkTrainable(_ images: ImageSet, validation: ImageSet?, inputShape: MapShape) throws {
        guard images.shape == inputShape else { throw TransferError.imageShape(images.shape, expected: inputShape) }
        guard images.classNames.count >= 2 else { throw TrainingError.invalidData("training needs at least two classes") }
        if let validation, validation.classNames != images.classNames || validation.shape != images.shape {
            throw TrainingError.invalidData("the validation images differ in shape or classes from the training images")
        }
    }
}

extension ImageTrainingSettings {
    /// The schedule for transfer and from-scratch training on `imageCount` images: small sets
    /// get more epochs, so every run takes at least about 500 steps (at most 200 epochs), since a
    /// fixed short count underfits them.
    public static func forTransfer(imageCount: Int) -> ImageTrainingSettings {
        var settings = ImageTrainingSettings()
        let stepsPerEpoch = max(1, (imageCount + settings.schedule.batchSize - 1) / settings.schedule.batchSize)
        settings.schedule.epochs = min(200, max(settings.schedule.epochs, (500 + stepsPerEpoch - 1) / stepsPerEpoch))
        return settings
    }
}
