import ArgumentParser
import ImageFeatures
import TransferLearning

extension TensorPrecision: ExpressibleByArgument {}

/// `embkit image import MODEL.onnx --output M.ekm`: an ONNX classifier as an EmbeddingKit model
/// file (checksummed, float16 weights if asked), its class names and preprocessing recorded.
struct ImageImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import an ONNX image classifier into an EmbeddingKit model file (used as it is, or as a backbone).",
        discussion: "The model file records the class names and the preprocessing, so predict, test and train need no "
            + "options for it; with --precision f16 its weights take half the bytes.")

    @Argument(help: "The ONNX classifier.")
    var model: String

    @Option(help: "Where to write the model file.")
    var output: String

    @Option(help: "f32 (the weights exactly) or f16 (half the bytes).")
    var precision: TensorPrecision = .float32

    @OptionGroup var onnx: ONNXOptions

    func run() throws {
        let model = TransferModel(imageNetwork: try onnx.openNetwork(self.model))
        try reportingTrainingErrors { try model.write(to: output, precision: precision) }
        StandardError.print("wrote \(output): \(model.labels.count) classes, input \(model.imageInputShape!), \(precision.rawValue) weights")
    }
}
