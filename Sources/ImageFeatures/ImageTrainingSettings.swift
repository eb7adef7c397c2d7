import LinearAlgebra
import NeuralNetworks

/// How an image network trains: the mini-batch schedule and the augmentation of each batch.
public struct ImageTrainingSettings: Sendable, Hashable, Codable {
    /// Epochs, batch size, optimizer, learning rate, patience, threads.
    public var schedule = TrainingSettings()
    /// The random shifts and rotations applied to each training image as it is drawn.
    public var augmentation = ImageAugmentation()

    /// The defaults: 30 epochs at most of Adam at 1e-3 in batches of 64, ±2 px shifts and ±10°
    /// rotations (both helped every strategy in the measurements the README reports).
    public init() {}
}

extension ImageNetwork {
    /// Trains a new small ConvNet (`smallConvNet`) on `images`, normalised by their own pixel
    /// statistics, with augmentation, stopping early on `validation` when given.
    /// - Returns: the network and what the training loop did.
    /// - Throws: `TrainingError` for fewer than two classes, divergence, or a mismatched validation set.
    public static func pretrain(on images: ImageSet, validation: ImageSet? = nil, settings: ImageTrainingSettings = ImageTrainingSettings(),
                                seed: UInt64 = 1, progress: TrainingProgress? = nil) throws -> (ImageNetwork, TrainingLoop.Outcome) {
        guard images.classNames.count >= 2 else { throw TrainingError.invalidData("pre-training needs at least two classes") }
        if let validation, validation.shape != images.shape || validation.classNames != images.classNames {
            throw TrainingError.invalidData("the validation images differ in shape or classes from the training images")
        }
        let fresh = try smallConvNet(inputShape: images.shape, classNames: images.classNames,
                                     normalization: PixelNormalization(measuring: images), seed: seed)
        var graph = fresh.graph
        let normalization = fresh.preprocessing.normalization
        let outcome = try graph.train(on: ImageBatches(images, normalization: normalization, augmentation: settings.augmentation),
                                      validation: validation.map { ImageBatches($0, normalization: normalization) },
                                      settings: settings.schedule, seed: seed &+ 1, progress: progress)
        return (try fresh.replacing(graph: graph), outcome)
    }
}
