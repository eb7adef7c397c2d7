import LinearAlgebra
import NeuralNetworks

/// How an image network trains: the mini-batch schedule and the augmentation of each batch.
public struct ImageTrainingSettings: Sendable, Hashable {
    /// Epochs, batch size, learning rate, patience, threads.
    public var schedule = MiniBatchSettings()
    /// The random shifts and rotations applied to each training image as it is drawn.
    public var augmentation = ImageAugmentation()

    /// The defaults: 30 epochs at most of Adam at 1e-3 in batches of 64, ±2 px shifts and ±10°
    /// rotations (both helped every strategy in the measurements the README reports).
    public init() {}
}

extension ConvNetBackbone {
    /// Trains a new small ConvNet (`smallConvNet`) on `images`, normalised by their own pixel
    /// statistics, with augmentation, stopping early on `validation` when given.
    /// - Returns: the backbone and what the training loop did.
    /// - Throws: `TrainingError` for fewer than two classes, divergence, or a mismatched validation set.
    public static func pretrain(on images: ImageSet, validation: ImageSet? = nil, settings: ImageTrainingSettings = ImageTrainingSettings(),
                                seed: UInt64 = 1, progress: TrainingProgress? = nil) throws -> (ConvNetBackbone, TrainingLoop.Outcome) {
        guard images.classNames.count >= 2 else { throw TrainingError.invalidData("pre-training needs at least two classes") }
        var backbone = try smallConvNet(inputShape: images.shape, classNames: images.classNames,
                                        normalization: PixelNormalization(measuring: images), seed: seed)
        let outcome = try backbone.network.train(images, normalization: backbone.normalization, validation: validation,
                                                 settings: settings, seed: seed &+ 1, progress: progress)
        return (backbone, outcome)
    }
}

extension SequentialNetwork {
    /// Trains the network on `images` (their labels as classes), each batch normalised and
    /// augmented as drawn, after passing through `frozenBase` in inference mode when given (the
    /// network then takes the base's output).
    /// - Throws: `TrainingError` for a validation set of other classes or shape, divergence.
    @discardableResult
    public mutating func train(_ images: ImageSet, normalization: PixelNormalization, frozenBase: SequentialNetwork? = nil,
                               validation: ImageSet? = nil, settings: ImageTrainingSettings, seed: UInt64,
                               progress: TrainingProgress? = nil) throws -> TrainingLoop.Outcome {
        if let validation, validation.shape != images.shape || validation.classNames != images.classNames {
            throw TrainingError.invalidData("the validation images differ in shape or classes from the training images")
        }
        let parallelism = Parallelism(threadCount: max(1, settings.schedule.threadCount))
        func prepared(_ maps: FeatureMaps) -> FeatureMaps { frozenBase?.forward(maps, parallelism: parallelism) ?? maps }
        let held = validation.map { (inputs: prepared($0.inputs(normalization: normalization)), labels: $0.labels) }
        return try train(count: images.count, labels: images.labels, inputs: { batch, generator in
            prepared(images.inputs(batch, normalization: normalization, augmentation: settings.augmentation, using: &generator))
        }, validation: held, settings: settings.schedule, seed: seed, progress: progress)
    }
}
