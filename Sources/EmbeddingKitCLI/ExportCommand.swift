import ArgumentParser
import ONNXExport
import TransferLearning

/// `embkit export MODEL --output M.onnx`: a trained model as an ONNX file for onnxruntime and
/// other runtimes.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a trained model as an ONNX file (image models whole; text models as their head over the pooled vector).",
        discussion: "Image models take `pixels` (N×C×H×W floats 0–255, resized and centre-cropped as `embkit image` does; the "
            + "normalisation is in the graph); text models take `features` (N×width, the pooled vector EmbeddingKit computes). "
            + "The output `probabilities` is N×classes; the class names are in the metadata key `embkit.labels`.")

    @Argument(help: "The model file (from train, image train or image import).")
    var model: String

    @Option(help: "Where to write the ONNX file.")
    var output: String

    @Option(help: "Text models: the embedding file to open instead of the recorded one (it must be the same file).")
    var embeddings: String?

    func run() throws {
        try reportingTrainingErrors {
            let model = try TransferModel(contentsOf: self.model, embeddingsPath: embeddings)
            let graph = try model.inferenceGraph()
            try ONNXExporter.write(graph, to: output, producerVersion: EmbeddingKitVersion.current)
            StandardError.print("wrote \(output): \(model.labels.count) classes, input \(graph.network.inputs[0].shape.dropFirst().map { $0.map(String.init) ?? "?" }.joined(separator: "×")), "
                + "\(graph.network.nodes.count) graph nodes")
        }
    }
}
