import ArgumentParser
import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import ONNXImport
import Synchronization
import TransferLearning

extension BadImagePolicy: ExpressibleByArgument {}

/// `embkit image`: the image path — pre-train a ConvNet, transfer it, test and predict.
struct ImageCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Pre-train a ConvNet, reuse it for new image classes, test and predict.",
        discussion: "Labelled images are a folder with one subfolder per label (PNG or JPEG, resized to the network's input), "
            + "or an IDX file (MNIST / Fashion-MNIST, gzipped or not) whose labels file is named like it "
            + "(`labels-idx1` for `images-idx3`) and whose class names are the lines of a `classes.txt` beside it.",
        subcommands: [ImagePretrainCommand.self, ImageTrainCommand.self, ImageTestCommand.self, ImagePredictCommand.self,
                      ImageImportCommand.self])
}

/// How the image commands read labelled images.
struct ImageDataOptions: ParsableArguments {
    @Option(help: "Only these classes, by index or name: e.g. 0-4, 5,7,9 or Sandal,Sneaker (applied to every set read).")
    var classes: String?

    @Option(help: "A file of class names, one per line, for IDX labels 0, 1, … (default: a classes.txt beside the IDX file).")
    var classNames: String?

    @Option(help: "fail or skip on images that cannot be decoded (skipped images are counted on stderr).")
    var badImages: BadImagePolicy = .fail

    /// Reads the labelled images at `path` (fitted to `shape` when given, their shorter side first
    /// scaled to `shorterSide`), keeps `--classes`; errors are printed and end the command with exit code 1.
    func read(_ path: String, shape: MapShape? = nil, shorterSide: Int? = nil) throws -> ImageSet {
        let (images, skipped) = try reportingTrainingErrors {
            try ImageSet.read(path, shape: shape, shorterSide: shorterSide, classNames: try classNames.map(ImageSet.classNames(inFile:)),
                              badImages: badImages)
        }
        if skipped > 0 { StandardError.print("embkit: skipped \(skipped) unreadable image(s) in \(path)") }
        guard let classes else { return images }
        return images.keeping(classes: try Self.classIndices(classes, in: images.classNames, path: path))
    }

    /// The class indices a `--classes` value names.
    static func classIndices(_ list: String, in names: [String], path: String) throws -> [Int] {
        var indices: [Int] = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
            if let index = names.firstIndex(of: item) {
                indices.append(index)
            } else if bounds.count == 2, bounds[0] <= bounds[1] {
                indices += Array(bounds[0]...bounds[1])
            } else if let index = Int(item) {
                indices.append(index)
            } else {
                throw ValidationError("--classes: '\(item)' is neither a class of \(path) nor an index or range")
            }
        }
        guard let bad = indices.first(where: { $0 < 0 || $0 >= names.count }) else { return indices }
        throw ValidationError("--classes: \(path) has \(names.count) classes (0-\(names.count - 1)); \(bad) is not one")
    }
}

/// How the training image commands schedule training.
struct ImageTrainingOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Epochs at most (default: 30 for pre-training; transfer runs at least ~500 steps, up to 200 epochs; an ImageNet network fine-tuned below its top about 400 steps, 5 to 30 epochs).")
    var epochs: Int?

    @Option(parsing: .unconditional, help: "The learning rate (default: 1e-3).")
    var lr: Float?

    @Option(help: "adam, adamw (decoupled weight decay) or sgd (momentum 0.9) (default: adam; adamw when an ImageNet network fine-tunes below its top).")
    var optimizer: OptimizerSettings.Method?

    @Option(parsing: .unconditional, help: "Weight decay of the filters and matrices (default: 0; 0.01 with adamw).")
    var weightDecay: Float?

    @Option(help: "Nesterov momentum for --optimizer sgd.")
    var nesterov = false

    @Option(help: "constant or cosine (a linear warm-up over --warmup of the steps, then a half cosine to 0) (default: constant; cosine when an ImageNet network fine-tunes below its top).")
    var schedule: ScheduleKind?

    @Option(parsing: .unconditional, help: "The share of the steps the cosine schedule warms up over (default: 0.05).")
    var warmup: Float?

    @Option(parsing: .unconditional, help: "Scale each step's gradients down to this global L2 norm at most (default: no clipping).")
    var clipNorm: Float?

    @Option(parsing: .unconditional, help: "Images per step (default: 64; 32 when an ImageNet network fine-tunes below its top).")
    var batchSize: Int?

    @Option(parsing: .unconditional, help: "Augmentation: the largest random shift, in pixels (0: none; default 2 for images of at most 64 pixels, else 0).")
    var shift: Float?

    @Option(parsing: .unconditional, help: "Augmentation: the largest random rotation, in degrees (0: none; default 10 for images of at most 64 pixels, else 0).")
    var rotation: Float?

    @Option(parsing: .unconditional, help: "Epochs without a better validation loss before stopping (with validation data).")
    var patience = 4

    @Flag(help: "Augmentation: flip each image left-right and up-down at random.")
    var flips = false

    @Flag(help: "Augmentation: turn each square image by a random multiple of 90 degrees.")
    var quarterTurns = false

    @Option(parsing: .unconditional, help: "Augmentation: a random resized crop keeping this share of the area up to all of it (e.g. 0.5; aspect ratio 3/4 to 4/3).")
    var cropArea: Float?

    @Option(parsing: .unconditional, help: "Augmentation: scale each image's brightness by a random factor within 1 ± this (e.g. 0.2).")
    var brightness: Float = 0

    @Option(parsing: .unconditional, help: "Augmentation: scale each image's contrast by a random factor within 1 ± this (e.g. 0.2).")
    var contrast: Float = 0

    @Option(help: "Threads (default: every core).")
    var threads = Parallelism.available.threadCount

    @Option(help: "The seed of initialisation, example order, augmentation and dropout.")
    var seed: UInt64 = 1

    func validate() throws {
        if let epochs, epochs < 1 { throw ValidationError("--epochs must be at least 1") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number") }
        if let weightDecay, !(weightDecay >= 0 && weightDecay < 1) { throw ValidationError("--weight-decay takes 0 to 1") }
        if let warmup, !(warmup >= 0 && warmup < 1) { throw ValidationError("--warmup takes a share in [0, 1)") }
        if let clipNorm, !(clipNorm > 0 && clipNorm.isFinite) { throw ValidationError("--clip-norm must be a positive number") }
        if let batchSize, !(2...4096).contains(batchSize) { throw ValidationError("--batch-size takes 2 to 4,096 (batch normalisation needs two images)") }
        if !((shift ?? 0) >= 0 && (shift ?? 0) <= 16) || !((rotation ?? 0) >= 0 && (rotation ?? 0) <= 180) {
            throw ValidationError("--shift takes 0 to 16 pixels and --rotation 0 to 180 degrees")
        }
        if let cropArea, !(cropArea >= 0.05 && cropArea <= 1) { throw ValidationError("--crop-area takes a share of 0.05 to 1") }
        if !(brightness >= 0 && brightness < 1) || !(contrast >= 0 && contrast < 1) {
            throw ValidationError("--brightness and --contrast take 0 to less than 1")
        }
        if patience < 1 { throw ValidationError("--patience must be at least 1") }
        if !(1...256).contains(threads) { throw ValidationError("--threads must be 1 to 256") }
    }

    /// The settings these options describe: `base` with what was given on the command line.
    func settings(_ base: ImageTrainingSettings) -> ImageTrainingSettings {
        var settings = base
        settings.schedule.epochs = epochs ?? settings.schedule.epochs
        settings.schedule.learningRate = lr ?? settings.schedule.learningRate
        if let optimizer { settings.schedule.optimizer = OptimizerSettings(optimizer) }
        if let weightDecay { settings.schedule.optimizer.weightDecay = weightDecay }
        if nesterov { settings.schedule.optimizer.nesterov = true }
        switch (schedule, settings.schedule.schedule) {
        case (.cosine?, _): settings.schedule.schedule = .warmupCosine(warmup: warmup ?? 0.05)
        case (.constant?, _): settings.schedule.schedule = .constant
        case (nil, .warmupCosine): if let warmup { settings.schedule.schedule = .warmupCosine(warmup: warmup) }
        case (nil, _): break
        }
        settings.schedule.gradientClipNorm = clipNorm
        settings.schedule.batchSize = batchSize ?? settings.schedule.batchSize
        settings.schedule.patience = patience
        settings.schedule.threadCount = threads
        settings.augmentation = ImageAugmentation(maxShift: shift ?? base.augmentation.maxShift,
                                                  maxRotationDegrees: rotation ?? base.augmentation.maxRotationDegrees,
                                                  flips: flips, quarterTurns: quarterTurns, minimumCropArea: cropArea ?? 1,
                                                  brightness: brightness, contrast: contrast)
        return settings
    }
}

/// The learning-rate schedules the image commands offer.
enum ScheduleKind: String, ExpressibleByArgument, CaseIterable {
    /// The same rate throughout.
    case constant
    /// A linear warm-up, then a half cosine to zero.
    case cosine
}

extension OptimizerSettings.Method: ExpressibleByArgument {}

/// A progress callback that shows the epoch on stderr, with the time left when the most epochs
/// training can run is known.
func epochProgress(_ line: ProgressLine, epochs: Int? = nil) -> TrainingProgress {
    { epoch, loss, accuracy in line.show(epochSummary(epoch, epochs: epochs, loss: loss, accuracy: accuracy), fraction: epochs.map { Double(epoch) / Double($0) }) }
}

/// `epoch 3 of 10: loss 0.4213, validation accuracy 0.8800`.
private func epochSummary(_ epoch: Int, epochs: Int?, loss: Double, accuracy: Double?) -> String {
    "epoch \(epoch)\(epochs.map { " of \($0)" } ?? ""): loss \(String(format: "%.4f", loss))"
        + (accuracy.map { ", validation accuracy \(String(format: "%.4f", $0))" } ?? "")
}

/// `--trainable`'s words as the layers fine-tuning trains — `all`, `top N` (N ≥ 1) or `from LAYER`,
/// the pre-trained ones of `all` and `from` at `baseRateFactor` of the rate — or nil for anything else.
func trainableLayers(_ words: [String], baseRateFactor: Float) -> BackboneLayers? {
    switch words {
    case ["all"]: .all(baseRateFactor: baseRateFactor)
    case let words where words.count == 2 && words[0] == "top" && (Int(words[1]) ?? 0) >= 1: .top(Int(words[1])!)
    case let words where words.count == 2 && words[0] == "from" && !words[1].isEmpty: .from(layer: words[1], baseRateFactor: baseRateFactor)
    default: nil
    }
}

/// Progress of a mini-batch training run on one line: the steps done with the time left, after
/// the last epoch's loss (and validation accuracy) — for runs whose epochs take minutes.
final class StepProgress: Sendable {
    private let line: ProgressLine
    private let lastEpoch = Mutex("")

    init(_ line: ProgressLine) { self.line = line }

    /// Records each epoch's summary.
    var epoch: TrainingProgress {
        { [self] epoch, loss, accuracy in
            let summary = epochSummary(epoch, epochs: nil, loss: loss, accuracy: accuracy)
            lastEpoch.withLock { $0 = summary }
            line.show(summary)
        }
    }

    /// Shows the steps done of those planned.
    var step: @Sendable (Int, Int) -> Void {
        { [self] done, total in
            let summary = lastEpoch.withLock { $0 }
            line.show((summary.isEmpty ? "" : summary + "; ") + "step \(done) of \(total)", fraction: Double(done) / Double(max(1, total)))
        }
    }
}

