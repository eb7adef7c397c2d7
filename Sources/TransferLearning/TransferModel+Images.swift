import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

extension TransferModel {
    /// An image network used as it is, on its own classes.
    public init(imageNetwork network: ImageNetwork) {
        self.init(strategy: .usePretrained, labels: network.classNames, body: network)
    }

    /// Trains an image classifier on `images` by `strategy`, reusing `network` (the small ConvNet
    /// pre-trained here, or an ImageNet network read from ONNX):
    /// - `fixedFeatures`: the pooled output of `featureLayer` (the network's feature value by
    ///   default, its global average pool for ImageNet networks), computed once, trains `head`;
    /// - `fineTune`: the network with a new output layer trains further — the layers
    ///   `FineTuning.backboneLayers` chooses (all, the top N, or from a named layer on), batch
    ///   normalisation trained or frozen, optionally after a linear probe (LP-FT) and with
    ///   layer-wise rate decay;
    /// - `combine`: the network up to its feature value stays frozen and a new dense head
    ///   (`Combination.hiddenLayers`, ReLU, dropout) trains on it;
    /// - `fromScratch`: the small ConvNet from random weights, every layer trained (small images only).
    /// A frozen part runs once per image when no augmentation changes the images between epochs.
    /// - Parameters:
    ///   - strategy: how the network is reused.
    ///   - network: the pre-trained network.
    ///   - images: the labelled training images (of the network's input shape).
    ///   - validation: for early stopping (and reported through `progress`).
    ///   - head: the classifier of fixed features.
    ///   - featureLayer: for fixed features, the node (name or number, as `embkit info --layers` lists
    ///     them) whose pooled output the classifier reads.
    ///   - settings: the schedule and augmentation (`ImageTrainingSettings.forTransfer(imageCount:inputShape:strategy:)` when nil).
    ///   - seed: drives initialisation, shuffling, augmentation and dropout.
    ///   - progress: epoch (or L-BFGS iteration), training loss and validation accuracy.
    ///   - stepProgress: after each mini-batch step, the steps done and planned in the current run
    ///     (a linear probe before fine-tuning is a run of its own).
    /// - Throws: `TransferError` for images of another shape or a strategy that does not train,
    ///   `TrainingError` for one class only or divergence, `GraphError` for a layer that does not exist.
    public static func train(
        _ strategy: TransferStrategy, imageNetwork network: ImageNetwork, on images: ImageSet, validation: ImageSet? = nil,
        head: ClassifierHead = .logisticRegression(), featureLayer: String? = nil, settings: ImageTrainingSettings? = nil,
        seed: UInt64 = 1, progress: TrainingProgress? = nil, stepProgress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> TransferModel {
        try checkTrainable(images, validation: validation, inputShape: network.inputShape)
        let settings = settings ?? .forTransfer(imageCount: images.count, inputShape: network.inputShape, strategy: strategy)
        let transfer = ImageTransfer(network: network, images: images, validation: validation, settings: settings, seed: seed, progress: progress,
                                     stepProgress: stepProgress)
        let trained: ImageNetwork
        switch strategy {
        case .usePretrained:
            throw TransferError.notTrainable(.usePretrained)
        case .fixedFeatures:
            let layer = try featureLayer.map { name -> Graph.Value in
                guard let index = network.graph.nodeIndex(named: name) else {
                    throw GraphError(node: nil, "no node is named '\(name)' (names and numbers as `embkit info --layers` lists them)")
                }
                return .node(index)
            }
            trained = try transfer.fixedFeatures(head: head, layer: layer)
        case .fineTune(let fineTuning):
            trained = try transfer.fineTune(fineTuning)
        case .combine(let combination):
            trained = try transfer.combine(hiddenLayers: combination.hiddenLayers)
        case .fromScratch:
            guard max(images.shape.height, images.shape.width) <= 64 else {
                throw TransferError.unsupported(.fromScratch, inputs: "images larger than 64 pixels (it trains the small ConvNet)")
            }
            let fresh = try ImageNetwork.smallConvNet(inputShape: images.shape, classNames: images.classNames,
                                                      normalization: PixelNormalization(measuring: images), seed: seed)
            var graph = fresh.graph
            let normalization = fresh.preprocessing.normalization
            try graph.train(on: ImageBatches(images, normalization: normalization, augmentation: settings.augmentation),
                            validation: validation.map { ImageBatches($0, normalization: normalization) }, settings: settings.schedule,
                            seed: seed &+ 1, progress: progress, stepProgress: stepProgress)
            trained = try fresh.replacing(graph: graph)
        }
        var model = TransferModel(strategy: strategy, labels: images.classNames, body: trained)
        model.imageTraining = settings
        return model
    }

    /// The image network of an image model (nil for a text model).
    public var imageNetwork: ImageNetwork? {
        body as? ImageNetwork
    }

    /// The shape images must have for this model (nil for a text model).
    public var imageInputShape: MapShape? { imageNetwork?.inputShape }

    /// The length a photo's shorter side is scaled to before the centre crop to `imageInputShape`
    /// (nil: straight to the input size).
    public var imageShorterSide: Int? { imageNetwork?.preprocessing.shorterSide }

    /// Class probabilities for each image (rows).
    /// - Throws: `TransferError.wrongInputs` for a text model, `.imageShape` for images of another
    ///   shape, `GraphError` when a node cannot run.
    public func probabilities(for images: ImageSet) throws -> Matrix {
        guard let network = imageNetwork else { throw TransferError.wrongInputs(expected: "texts") }
        guard images.shape == network.inputShape else { throw TransferError.imageShape(images.shape, expected: network.inputShape) }
        return try network.probabilities(of: images)
    }

    /// Opens whatever image model `path` holds: a model file, a backbone file (its own classes),
    /// or an ONNX classifier (used as it is, with `classNames` and `preprocessing`).
    /// - Throws: `ModelFileError`, `ONNXError`, or `TransferError.wrongInputs` for a text model.
    public init(imageModelAt path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing? = nil) throws {
        if path.lowercased().hasSuffix(".onnx") {
            self.init(imageNetwork: try ImageNetwork(onnx: path, classNames: classNames, preprocessing: preprocessing))
            return
        }
        let container = try TensorContainer(contentsOf: path)
        if ImageNetwork.isBackbone(container) {
            self.init(imageNetwork: try ImageNetwork(backbone: container, path: path))
            return
        }
        self = try TransferModel(container: container, path: path)
        guard imageInputShape != nil else { throw TransferError.wrongInputs(expected: "texts (use test / predict, not image test / predict)") }
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
    /// The schedule for transfer and from-scratch training on `imageCount` images by `strategy`:
    /// small sets get more epochs, so every run takes at least about 500 steps (at most 200
    /// epochs), since a fixed short count underfits them; the small ConvNet's ±2 px / ±10°
    /// augmentation for inputs of at most 64 pixels, none for larger ones (an ImageNet network's
    /// frozen part then runs once per image). A fine-tune through pre-trained layers below the top
    /// (`--trainable all` or `from LAYER`) of a network with larger inputs follows
    /// `wholeNetworkFineTuning` instead: there a step costs seconds, not milliseconds. (On the
    /// small ConvNet's Fashion-MNIST tasks that schedule's 30 epochs underfit 50 images per class:
    /// 0.84 against 0.93.)
    public static func forTransfer(imageCount: Int, inputShape: MapShape, strategy: TransferStrategy? = nil) -> ImageTrainingSettings {
        var settings = ImageTrainingSettings()
        if max(inputShape.height, inputShape.width) > 64 { settings.augmentation = .none }
        if takesWholeNetworkSchedule(strategy, inputShape: inputShape) {
            settings.schedule = wholeNetworkFineTuning(imageCount: imageCount)
        } else {
            let stepsPerEpoch = Self.stepsPerEpoch(imageCount: imageCount, batchSize: settings.schedule.batchSize)
            settings.schedule.epochs = min(200, max(settings.schedule.epochs, (500 + stepsPerEpoch - 1) / stepsPerEpoch))
        }
        return settings
    }

    /// Whether `strategy` trains on `wholeNetworkFineTuning` by default: a fine-tune through
    /// pre-trained layers below the top of a network whose inputs are larger than 64 pixels.
    public static func takesWholeNetworkSchedule(_ strategy: TransferStrategy?, inputShape: MapShape) -> Bool {
        strategy?.trainsPretrainedLayers == true && max(inputShape.height, inputShape.width) > 64
    }

    /// The schedule for fine-tuning a pre-trained network through its lower layers, as
    /// practitioners fine-tune ImageNet networks: AdamW (weight decay 0.01), a linear warm-up over
    /// 5% of the steps then a half cosine to zero, batches of 32, and about 400 steps — at least 5
    /// epochs, at most 30. Whole-network steps cost the most, and a few epochs at a falling rate
    /// move pre-trained weights far enough without forgetting what they hold; a constant rate
    /// over hundreds of epochs does not.
    public static func wholeNetworkFineTuning(imageCount: Int) -> TrainingSettings {
        var schedule = TrainingSettings()
        schedule.optimizer = OptimizerSettings(.adamW)
        schedule.schedule = .warmupCosine(warmup: 0.05)
        schedule.batchSize = 32
        let stepsPerEpoch = Self.stepsPerEpoch(imageCount: imageCount, batchSize: schedule.batchSize)
        schedule.epochs = min(30, max(5, (400 + stepsPerEpoch - 1) / stepsPerEpoch))
        return schedule
    }

    /// Steps in one epoch of `imageCount` images in batches of `batchSize` (at least one).
    static func stepsPerEpoch(imageCount: Int, batchSize: Int) -> Int {
        max(1, (imageCount + batchSize - 1) / batchSize)
    }
}

extension TransferStrategy {
    /// Whether pre-trained layers below the top train: a fine-tune of `all` or `from` a layer.
    public var trainsPretrainedLayers: Bool {
        guard case .fineTune(let fineTuning) = self else { return false }
        if case .top = fineTuning.backboneLayers { return false }
        return true
    }
}
