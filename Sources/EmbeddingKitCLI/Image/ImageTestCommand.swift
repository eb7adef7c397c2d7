import ArgumentParser
import Classifiers
import ImageFeatures
import TransferLearning

/// `embkit image test --model M PATH`: the same report as `embkit test`, for images.
struct ImageTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test", abstract: "Evaluate an image model (or a backbone on its own classes) on labelled images.")

    @Option(help: "The image model, or a backbone file (used as it is).")
    var model: String

    @Argument(help: "The labelled images: a folder with one subfolder per label, or an IDX images file.")
    var path: String

    @Option(name: [.short, .long], help: "k for P@k and R@k.")
    var k = 1

    @OptionGroup var data: ImageDataOptions

    @Flag(help: "Print one JSON object (the keys of `embkit test --json`).")
    var json = false

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
    }

    func run() throws {
        let loaded = try openImageModel(model)
        let images = try data.read(path, shape: loaded.imageInputShape)
        let report = try reportingImageErrors { try loaded.evaluate(on: images, k: k) }
        print(Self.rendered(report, labels: loaded.labels, json: json))
    }

    /// The report as `embkit test` prints it (without token coverage; its JSON key holds 1).
    static func rendered(_ report: ClassificationReport, labels: [String], json: Bool) -> String {
        json ? ReportPrinter.json(report, labels: labels, coverage: 1) : ReportPrinter.text(report, labels: labels, coverage: nil)
    }
}

/// Opens an image model or a backbone file (a backbone predicts its own classes); errors are
/// printed and end the command with exit code 1.
func openImageModel(_ path: String) throws -> TransferModel {
    let model = try reportingImageErrors { () throws -> TransferModel in
        do { return try TransferModel(contentsOf: path) } catch let error as ModelFileError where error.message.hasPrefix("not an EmbeddingKit model") {
            return TransferModel(backbone: try ConvNetBackbone(contentsOf: path))
        }
    }
    guard model.imageInputShape != nil else {
        StandardError.print("embkit: \(path): a text model; use embkit test / predict for it")
        throw ExitCode.failure
    }
    return model
}
