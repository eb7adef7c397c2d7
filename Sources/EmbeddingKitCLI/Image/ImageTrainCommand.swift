import ArgumentParser
import Foundation
import ImageFeatures
import NeuralNetworks
import TransferLearning

extension BatchNormalizationMode: ExpressibleByArgument {}

/// How a photo is fitted to a network's input.
enum ImageGeometry: String, ExpressibleByArgument, CaseIterable {
    /// The network's own preprocessing (for ImageNet networks: shorter side, then centre crop).
    case crop
    /// The whole image resized to the input.
    case whole
}

/// `embkit image train`: a new image classifier by transfer from a backbone (or from scratch).
struct ImageTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train an image classifier by transfer from a pre-trained backbone, or the same network from scratch.",
        discussion: "With no arguments it transfers the shipped Fashion-MNIST 0–4 backbone to the shipped "
            + "Fashion-MNIST 5–9 training images (200 per class) and prints the test report.")

    @Option(help: "The training images: a folder with one subfolder per label, or an IDX images file (default: the shipped Fashion-MNIST 5–9).")
    var train: String?

    @Option(help: "The backbone: a backbone file, an ONNX ImageNet model, or a model file holding one (default: the shipped Fashion-MNIST 0–4 backbone).")
    var backbone: String?

    @Option(help: "fixed-features, fine-tune (the default), combine, auto (measured: see the README), or scratch (the baseline: the same network from random weights).")
    var strategy: TransferStrategy.Kind = .fineTune

    @Option(help: "fixed-features: logistic or mlp, the classifier (default: logistic).")
    var classifier: HeadKind?

    @Option(help: "Hidden layer sizes of the combine head and the fixed-features MLP, comma-separated (default: 256).")
    var hidden: String?

    @Option(parsing: .upToNextOption, help: "fine-tune: top N (only the top N layers with weights train; default top 2), all, or from LAYER (that node and every one after it; names and numbers as `embkit info --layers` lists them); the pre-trained layers of all and from at --base-rate-factor × the rate.")
    var trainable: [String] = []

    @Option(parsing: .unconditional, help: "fine-tune all / from LAYER: the pre-trained layers' share of the learning rate (default: 0.3).")
    var baseRateFactor: Float?

    @Option(help: "fine-tune: train (batch statistics, running averages updated; the default) or frozen (running statistics kept, as for small data) batch normalisation in the layers that train.")
    var batchNorm: BatchNormalizationMode?

    @Option(parsing: .unconditional, help: "fine-tune: epochs of training the new output layer alone before the chosen layers train (LP-FT; default 0).")
    var linearProbeEpochs: Int?

    @Option(parsing: .unconditional, help: "fine-tune: each pre-trained layer's rate is this factor times the rate of the layer above it (layer-wise decay; default none).")
    var layerRateDecay: Float?

    @Option(help: "crop (resize the shorter side, then crop the centre: the network's own preprocessing, ImageNet's) or whole (the whole image resized to the input, keeping its borders).")
    var geometry: ImageGeometry?

    @Option(parsing: .unconditional, help: "Train and predict at N × N pixels instead of the network's input size (a fully convolutional network up to its pool takes any size).")
    var inputSize: Int?

    @Option(help: "fixed-features: the node whose output (global-average-pooled) feeds the classifier (default: the network's feature layer; names and numbers as `embkit info --layers` lists them).")
    var layer: String?

    @Option(parsing: .unconditional, help: "Train on at most this many images per class (drawn with --seed).")
    var perClass: Int?

    @Option(help: "Validation images for early stopping.")
    var valid: String?

    @Option(parsing: .unconditional, help: "Hold out this share of the training images for early stopping instead of --valid (default: none; small sets train a fixed schedule).")
    var validationSplit: Double?

    @Option(help: "Test images to report on (default: the shipped test images when training on the shipped set).")
    var test: String?

    @Option(help: "Where to write the model.")
    var output = "fashion-mnist-5-9.ekm"

    @OptionGroup var data: ImageDataOptions
    @OptionGroup var training: ImageTrainingOptions
    @OptionGroup var onnx: ONNXOptions

    @OptionGroup var progressOptions: ProgressOptions

    @Flag(help: "Print the test report as one JSON object.")
    var json = false

    func validate() throws {
        guard let hiddenSizes else { throw ValidationError(hiddenSizesRule) }
        try validateHiddenLayerMemory(hiddenSizes)
        _ = try backboneLayers()
        if let perClass, perClass < 1 { throw ValidationError("--per-class must be at least 1") }
        if let validationSplit, !(validationSplit > 0 && validationSplit < 1) { throw ValidationError("--validation-split must be in (0, 1)") }
        if let baseRateFactor, !(baseRateFactor >= 0 && baseRateFactor <= 10) { throw ValidationError("--base-rate-factor takes 0 to 10") }
        try validateApplicability()
        try validateOutput(output, isNotAnyOf: [("--train", train), ("--valid", valid), ("--test", test), ("--backbone", backbone)])
        if let linearProbeEpochs, !(0...1000).contains(linearProbeEpochs) { throw ValidationError("--linear-probe-epochs takes 0 to 1,000") }
        if let layerRateDecay, !(layerRateDecay > 0 && layerRateDecay <= 1) { throw ValidationError("--layer-rate-decay takes a factor in (0, 1]") }
        if let inputSize, !(8...4096).contains(inputSize) { throw ValidationError("--input-size takes 8 to 4,096 pixels") }
        if layer != nil && strategy != .fixedFeatures { throw ValidationError("--layer applies to --strategy fixed-features") }
        if strategy == .usePretrained {
            throw ValidationError("use-pretrained does not train: give the backbone to `embkit image test` or `image predict`")
        }
    }

    func run() throws {
        var pretrained = try onnx.openNetwork(backbone ?? ShippedData.path(ShippedData.imageBackbone))
        pretrained = try reportingTrainingErrors {
            var network = pretrained
            if let inputSize { network = try network.resized(height: inputSize, width: inputSize) }
            if geometry == .whole {
                var preprocessing = network.preprocessing
                preprocessing.shorterSide = nil
                network = try network.replacing(preprocessing: preprocessing)
            }
            return network
        }
        let (shape, side) = (pretrained.inputShape, pretrained.preprocessing.shorterSide)
        var images = try data.read(train ?? ShippedData.path(ShippedData.imageTraining), shape: shape, shorterSide: side)
        if let perClass = perClass ?? (train == nil ? 200 : nil) { images = images.sample(perClass: perClass, seed: training.seed) }
        var validation = try valid.map { try data.read($0, shape: shape, shorterSide: side) }
        if let validationSplit, validation == nil { (images, validation) = images.split(holdingOut: validationSplit, seed: training.seed) }
        let line = ProgressLine("training")
        let start = Date()
        let model = try reportingTrainingErrors(data: train ?? ShippedData.path(ShippedData.imageTraining)) {
            if strategy == .auto {
                return try StrategyAdvisor(seed: training.seed).train(
                    imageNetwork: pretrained, on: images, validation: validation,
                    settings: training.settings(.forTransfer(imageCount: images.count, inputShape: shape)), progress: epochProgress(line))
            }
            let transfer = try transferStrategy()
            let settings = training.settings(.forTransfer(imageCount: images.count, inputShape: shape, strategy: transfer))
            // Fixed features train by L-BFGS (no epoch count known in advance) or a short MLP run;
            // the others show their steps.
            let steps = StepProgress(line)
            return try TransferModel.train(transfer, imageNetwork: pretrained, on: images, validation: validation, head: head,
                                           featureLayer: layer, settings: settings, seed: training.seed,
                                           progress: strategy == .fixedFeatures ? epochProgress(line) : steps.epoch,
                                           stepProgress: strategy == .fixedFeatures ? nil : steps.step)
        }
        line.finish()
        try reportingTrainingErrors { try model.write(to: output) }
        if !progressOptions.quiet {
            if let advice = model.advice { StandardError.print("auto chose \(advice)") }
            StandardError.print("trained \(model.strategy.kind.rawValue) on \(images.count) images (\(images.classNames.count) classes) in "
                + "\(String(format: "%.1f", Date().timeIntervalSince(start))) s; wrote \(output)")
        }
        if let testPath = test ?? (train == nil ? ShippedData.path(ShippedData.imageTest) : nil) {
            let testImages = try data.read(testPath, shape: shape, shorterSide: side)
            let report = try reportingTrainingErrors { try model.evaluate(on: testImages) }
            print(ImageTestCommand.rendered(report, labels: model.labels, json: json))
        }
    }

    private var hiddenSizes: [Int]? { hiddenLayerSizes(hidden ?? "256") }

    private func backboneLayers() throws -> BackboneLayers {
        guard let layers = trainableLayers(trainable.isEmpty ? ["top", "2"] : trainable, baseRateFactor: baseRateFactor ?? 0.3) else {
            throw ValidationError("--trainable takes `all`, `top N` (N ≥ 1) or `from LAYER`, not '\(trainable.joined(separator: " "))'")
        }
        return layers
    }

    /// Refuses options the chosen strategy would ignore, naming the first one.
    private func validateApplicability() throws {
        let fineTuneOnly = [("--trainable", !trainable.isEmpty), ("--base-rate-factor", baseRateFactor != nil), ("--batch-norm", batchNorm != nil),
                            ("--linear-probe-epochs", linearProbeEpochs != nil), ("--layer-rate-decay", layerRateDecay != nil)]
        if strategy != .fineTune, let (name, _) = fineTuneOnly.first(where: \.1) {
            throw ValidationError("\(name) applies to --strategy fine-tune, not \(strategy.rawValue)")
        }
        if baseRateFactor != nil, case .top = try backboneLayers() {
            throw ValidationError("--base-rate-factor applies to --trainable all and from LAYER (top N trains only new and top layers at the full rate)")
        }
        if classifier != nil && strategy != .fixedFeatures { throw ValidationError("--classifier applies to --strategy fixed-features, not \(strategy.rawValue)") }
        if hidden != nil && strategy != .combine && !(strategy == .fixedFeatures && classifier == .mlp) {
            throw ValidationError("--hidden applies to --strategy combine and to fixed-features with --classifier mlp")
        }
    }

    private func transferStrategy() throws -> TransferStrategy {
        switch strategy {
        case .fineTune:
            var fineTuning = FineTuning()
            fineTuning.backboneLayers = try backboneLayers()
            fineTuning.batchNormalization = batchNorm ?? .train
            fineTuning.linearProbeEpochs = linearProbeEpochs ?? 0
            fineTuning.layerRateDecay = layerRateDecay
            return .fineTune(fineTuning)
        case .combine:
            var combination = Combination()
            combination.hiddenLayers = hiddenSizes!
            return .combine(combination)
        case .fixedFeatures: return .fixedFeatures
        case .fromScratch: return .fromScratch
        case .usePretrained, .auto: preconditionFailure("validate() refuses \(strategy.rawValue)")
        }
    }

    private var head: ClassifierHead {
        switch classifier ?? .logistic {
        case .logistic: return .logisticRegression()
        case .mlp:
            var settings = MultilayerPerceptronSettings()
            settings.hiddenLayers = hiddenSizes!
            return .multilayerPerceptron(settings)
        }
    }
}
