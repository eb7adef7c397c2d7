import ArgumentParser
import Classifiers
import Foundation
import ImageFeatures
import Plots
import TransferLearning

/// `embkit image test --model M PATH`: the same reports as `embkit test` (fastText's N, P@k, R@k
/// by default; `--report` for the full one), for images.
struct ImageTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Evaluate an image model (or a backbone on its own classes) on labelled images.")

    @Option(help: "The image model, a backbone file, or an ONNX classifier (used as it is).")
    var model: String

    @Argument(help: "The labelled images: a folder with one subfolder per label, or an IDX images file.")
    var path: String

    @Option(name: [.short, .long], parsing: .unconditional, help: "k for P@k and R@k.")
    var k = 1

    @OptionGroup var data: ImageDataOptions
    @OptionGroup var onnx: ONNXOptions

    @Flag(help: "Print the full report: accuracy, macro-F1, per-class figures, confusion matrix (as `embkit test --report`).")
    var report = false

    @Flag(help: "Print one JSON object (the keys of `embkit test --json`).")
    var json = false

    @Option(help: "Draw up to 48 test images with their predicted and true classes (wrong ones first, in red) into this SVG file, and the confusion matrix into FILE-confusion.svg.")
    var plot: String?

    @OptionGroup var progressOptions: ProgressOptions

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        try validatePlotPath(plot)
    }

    func run() throws {
        let loaded = try onnx.openModel(model)
        let images = try data.read(path, shape: loaded.imageInputShape, shorterSide: loaded.imageShorterSide)
        let (predictions, report) = try reportingTrainingErrors {
            let predictions = try loaded.predict(images: images, k: k)
            return (predictions, try loaded.evaluate(predictions, against: images, k: k))
        }
        print(self.report || json ? Self.rendered(report, labels: loaded.labels, json: json) : ReportPrinter.fastTextSummary(report))
        if let plot { try drawPlots(to: plot, model: loaded, images: images, predicted: predictions.map { $0.first?.label ?? "" }, report: report) }
    }

    /// The image grid and the confusion matrix; `predicted` is each image's most probable class.
    private func drawPlots(to path: String, model: TransferModel, images: ImageSet, predicted: [String], report: ClassificationReport) throws {
        let (wrong, right) = images.labels.indices.reduce(into: ([Int](), [Int]())) { parts, index in
            if predicted[index] == images.classNames[images.labels[index]] { parts.1.append(index) } else { parts.0.append(index) }
        }
        let shown = Array(wrong.prefix(24)) + Array(right.prefix(48 - min(24, wrong.count)))
        let size = images.shape.count
        let tiles = shown.map { index in
            ImageGridPlot.Tile(channels: images.shape.channels, height: images.shape.height, width: images.shape.width,
                               pixels: Array(images.pixels[(index * size)..<((index + 1) * size)]),
                               predicted: predicted[index], truth: images.classNames[images.labels[index]])
        }
        let name = URL(fileURLWithPath: self.path).lastPathComponent
        let title = "\(name): \(images.count) images, accuracy " + String(format: "%.4f", report.accuracy)
            + " — \(min(24, wrong.count)) of \(wrong.count) wrong shown first"
        try writePlot(ImageGridPlot(tiles: tiles, title: title).svg, to: path)
        let confusionTitle = "\(name): \(report.examples) images, accuracy " + String(format: "%.4f, macro-F1 %.4f", report.accuracy, report.macroF1)
        try writePlot(ConfusionMatrixPlot(labels: model.labels, counts: report.confusion, title: confusionTitle).svg,
                      to: String(path.dropLast(4)) + "-confusion.svg")
    }

    /// The report as `embkit test` prints it (without token coverage; its JSON key holds 1).
    static func rendered(_ report: ClassificationReport, labels: [String], json: Bool) -> String {
        json ? ReportPrinter.json(report, labels: labels, coverage: 1) : ReportPrinter.text(report, labels: labels, coverage: nil)
    }
}

/// How the image commands read an ONNX classifier: its class names and its preprocessing.
struct ONNXOptions: ParsableArguments {
    @Option(help: "ONNX models: a file of the model's class names, one per line (default: the shipped ImageNet names for 1,000 outputs).")
    var modelClasses: String?

    @Option(help: "ONNX models: torchvision (resize 256, crop 224 — scaled with the model's input, 342 for 299 —, ImageNet mean/std) or tflite ((x − 127) / 128, as EfficientNet-Lite) (default: what an EmbeddingKit export stores, else torchvision).")
    var preprocessing: String?

    func validate() throws {
        guard preprocessing.map({ ImagePreprocessing.presets[$0] != nil }) ?? true else {
            throw ValidationError("--preprocessing takes " + ImagePreprocessing.presets.keys.sorted().joined(separator: " or "))
        }
    }

    /// Opens whatever image network `path` is (an ONNX model without class names gets the shipped
    /// ImageNet names when it has 1,000 outputs); errors are printed and end the command with exit code 1.
    func openNetwork(_ path: String) throws -> ImageNetwork {
        try reportingTrainingErrors {
            let names = try modelClasses.map(ImageSet.classNames(inFile:))
            let network = try ImageNetwork(contentsOf: path, classNames: names, preprocessing: preprocessing.flatMap { ImagePreprocessing.presets[$0] })
            if preprocessing == nil, path.lowercased().hasSuffix(".onnx"), network.preprocessing.presetName == ImagePreprocessing.torchvision.presetName {
                StandardError.print("embkit: \(path) does not say how its inputs are prepared; assuming torchvision's ImageNet preprocessing "
                                    + "(shorter side \(network.preprocessing.shorterSide ?? 0), crop \(network.inputShape.height)×\(network.inputShape.width), "
                                    + "ImageNet mean/std); --preprocessing tflite for (x − 127) / 128")
            }
            guard names == nil, network.classNames == (0..<1000).map(String.init),
                  let imageNet = try? ImageSet.classNames(inFile: ShippedData.path(ShippedData.imageNetClasses)), imageNet.count == 1000 else {
                return network
            }
            return try network.replacing(graph: network.graph, classNames: imageNet, featureValue: network.featureValue)
        }
    }

    /// Opens an image model, a backbone file (its own classes) or an ONNX classifier (used as it
    /// is); errors are printed and end the command with exit code 1.
    func openModel(_ path: String) throws -> TransferModel {
        if path.lowercased().hasSuffix(".onnx") { return TransferModel(imageNetwork: try openNetwork(path)) }
        return try reportingTrainingErrors {
            do {
                return try TransferModel(imageModelAt: path)
            } catch TransferError.wrongInputs {
                StandardError.print("embkit: \(path): a text model; use embkit test / predict for it")
                throw ExitCode.failure
            }
        }
    }
}
