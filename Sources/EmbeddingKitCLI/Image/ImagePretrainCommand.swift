import ArgumentParser
import Classifiers
import Foundation
import ImageFeatures
import NeuralNetworks
import TransferLearning

/// `embkit image pretrain`: trains the small ConvNet on labelled images and writes it as a backbone.
struct ImagePretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pre-train the small ConvNet (conv 32 → pool → conv 64 → pool → dense 128) on labelled images; write it as a backbone.",
        discussion: "Every image is normalised by the training set's pixel statistics and augmented as drawn (random shifts "
            + "and rotations). A share of the training set is held out for early stopping; the best epoch is kept.")

    @Option(help: "The training images: a folder with one subfolder per label, or an IDX images file.")
    var train: String

    @Option(help: "Validation images for early stopping (instead of --validation-split).")
    var valid: String?

    @Option(parsing: .unconditional, help: "Hold out this share of the training images (chosen with --seed) for early stopping.")
    var validationSplit = 0.1

    @Option(help: "Test images to report accuracy on after training.")
    var test: String?

    @Option(help: "Where to write the backbone.")
    var output: String

    @Option(parsing: .unconditional, help: "The height and width folder images are resized to (default: the first image's).")
    var size: Int?

    @Flag(help: "With --size: read folder images as RGB (default: gray).")
    var rgb = false

    @OptionGroup var data: ImageDataOptions
    @OptionGroup var training: ImageTrainingOptions
    @OptionGroup var progressOptions: ProgressOptions

    @Flag(help: "Print the test report as one JSON object.")
    var json = false

    func validate() throws {
        if !(validationSplit >= 0 && validationSplit < 1) { throw ValidationError("--validation-split must be in [0, 1)") }
        if let size, !(4...1024).contains(size) { throw ValidationError("--size takes 4 to 1024 pixels") }
        if rgb, size == nil { throw ValidationError("--rgb needs --size (without it images keep the first image's size and channels)") }
    }

    func run() throws {
        let shape = size.map { MapShape(channels: rgb ? 3 : 1, height: $0, width: $0) }
        var images = try data.read(train, shape: shape)
        var validation = try valid.map { try data.read($0, shape: images.shape) }
        if validation == nil, validationSplit > 0 {
            (images, validation) = images.split(holdingOut: validationSplit, seed: training.seed)
        }
        let line = ProgressLine("pre-training")
        let start = Date()
        let (backbone, outcome) = try reportingTrainingErrors(data: self.train) {
            let settings = training.settings(ImageTrainingSettings())
            return try ImageNetwork.pretrain(on: images, validation: validation, settings: settings,
                                                seed: training.seed, progress: epochProgress(line, epochs: settings.schedule.epochs))
        }
        line.finish()
        let seconds = Date().timeIntervalSince(start)
        var provenance = "embkit " + CommandLine.arguments.dropFirst().joined(separator: " ")
            + "; \(images.count) training images, \(outcome.epochsRun) epochs (best \(outcome.bestEpoch))"
        var report: ClassificationReport?
        if let test {
            let testImages = try data.read(test, shape: images.shape)
            let evaluation = try reportingTrainingErrors { try TransferModel(imageNetwork: backbone).evaluate(on: testImages) }
            provenance += "; test accuracy \(String(format: "%.4f", evaluation.accuracy)) on \(testImages.count) images of \(test)"
            report = evaluation
        }
        try reportingTrainingErrors { try backbone.writeBackbone(to: output, provenance: provenance) }
        StandardError.print("pre-trained on \(images.count) images (\(images.classNames.count) classes) for \(outcome.epochsRun) epochs "
            + "(best \(outcome.bestEpoch)) in \(String(format: "%.1f", seconds)) s; wrote \(output)")
        if let report { print(ImageTestCommand.rendered(report, labels: backbone.classNames, json: json)) }
    }
}
