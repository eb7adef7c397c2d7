import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

extension TransferModel {
    /// An imported ImageNet network used as it is, on its own classes.
    public init(graphBackbone backbone: GraphBackbone) {
        self.init(strategy: .usePretrained, labels: backbone.classNames, body: .graphNet(backbone))
    }

    /// Trains an image classifier on `images` by `strategy`, reusing an imported network (an
    /// ImageNet model read from ONNX). The frozen part runs once per image, never per epoch:
    /// - `fixedFeatures`: the global-pool features train `head`;
    /// - `fineTune` with `.top(n)`: the network's last `n` parameter layers (its new output layer
    ///   included) train on the frozen activations below them; `.all` is not supported here;
    /// - `combine`: a new dense head (`Combination.hiddenLayers`, ReLU, dropout) on the frozen features.
    /// - Parameters:
    ///   - strategy: how the network is reused.
    ///   - backbone: the imported network.
    ///   - images: the labelled training images.
    ///   - validation: for early stopping (and reported through `progress`).
    ///   - head: the classifier of fixed features.
    ///   - seed: drives initialisation, shuffling and dropout.
    ///   - progress: epoch (or L-BFGS iteration), training loss and validation accuracy.
    ///   - settings: the mini-batch schedule (`ImageTrainingSettings.forTransfer(imageCount:)`'s when
    ///     nil); augmentation does not apply, since the frozen activations are computed once.
    /// - Throws: `TransferError` for images of another shape or a strategy this network cannot
    ///   train, `TrainingError` for one class only or divergence.
    public static func train(
        _ strategy: TransferStrategy, graphBackbone backbone: GraphBackbone, on images: ImageSet, validation: ImageSet? = nil,
        head: ClassifierHead = .logisticRegression(), settings: MiniBatchSettings? = nil, seed: UInt64 = 1,
        progress: TrainingProgress? = nil
    ) throws -> TransferModel {
        try checkTrainable(images, validation: validation, inputShape: backbone.inputShape)
        let settings = settings ?? ImageTrainingSettings.forTransfer(imageCount: images.count).schedule
        let labels = images.classNames
        switch strategy {
        case .usePretrained:
            throw TransferError.notTrainable(.usePretrained)
        case .fromScratch:
            throw TransferError.unsupported(.fromScratch, inputs: "an imported network (train the small ConvNet from scratch instead)")
        case .fixedFeatures:
            let held = validation.map { (inputs: $0, classes: $0.labels) }
            let (trained, _) = try trainHead(head, extractor: backbone, inputs: images, classes: images.labels, classCount: labels.count,
                                             validation: held, seed: seed, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .graphFeatures(backbone, trained))
        case .fineTune(let fineTuning):
            guard case .top(let count) = fineTuning.backboneLayers else {
                throw TransferError.unsupported(.fineTune, inputs: "every layer of an imported network (fine-tune its top N layers)")
            }
            let network = try backbone.fineTunedTop(count, classCount: labels.count, images: images, validation: validation,
                                                    settings: settings, seed: seed, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .graphNet(backbone.replacing(network, classNames: labels)))
        case .combine(let combination):
            let network = try backbone.combined(hiddenLayers: combination.hiddenLayers, classCount: labels.count, images: images,
                                                validation: validation, settings: settings, seed: seed, progress: progress)
            return TransferModel(strategy: strategy, labels: labels, body: .graphNet(backbone.replacing(network, classNames: labels)))
        }
    }
}
