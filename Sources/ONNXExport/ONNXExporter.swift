import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks
import TransferLearning

/// Writes trained models as ONNX files (IR 8, opset 17) that onnxruntime and other runtimes run:
/// one float input (`pixels`, N × C × H × W, for image models; `features`, N × width, for the
/// head of a text model) and one output, `probabilities` (N × classes). The class names and the
/// input's preparation are stored in the model's metadata (`embkit.labels`, one per line;
/// `embkit.input`; `embkit.shorter_side` for images), where `ImageNetwork(onnx:)` finds them again.
public enum ONNXExporter {
    /// The ONNX operator-set version the files declare.
    public static let opsetVersion = 17

    /// The encoded `ModelProto` of `graph`.
    /// - Throws: `GraphError` for an operation with no ONNX form.
    public static func modelBytes(for graph: InferenceGraph, producerVersion: String = "") throws -> [UInt8] {
        var translation = GraphTranslation(graph: graph.network, inputNames: [graph.input.name])
        let output = try translation.translate(outputName: "probabilities")
        let inputDimensions = graph.network.inputs[0].shape.dropFirst().map { $0 ?? 1 }
        let graphBytes = translation.builder.graphProto(
            name: "embkit", inputs: [(graph.input.name, inputDimensions)],
            outputs: [(output, Array(graph.network.shape(of: graph.network.outputs[0]).dropFirst()))], documentation: graph.input.documentation)
        var model = ProtobufWriter()
        model.integer(1, 8)  // ir_version
        model.string(2, "EmbeddingKit")
        model.string(3, producerVersion)
        model.string(6, graph.input.documentation)
        model.bytes(7, graphBytes)
        model.message(8) { opset in
            opset.string(1, "")
            opset.integer(2, opsetVersion)
        }
        for (key, value) in metadata(of: graph) {
            model.message(14) { entry in
                entry.string(1, key)
                entry.string(2, value)
            }
        }
        return model.bytes
    }

    /// Writes `graph` to `path` atomically (a temporary file renamed into place).
    /// - Throws: `EmbeddingFileError` when the file cannot be written, `GraphError` for an operation with no ONNX form.
    public static func write(_ graph: InferenceGraph, to path: String, producerVersion: String = "") throws {
        let bytes = try modelBytes(for: graph, producerVersion: producerVersion)
        let writer = try AtomicFileWriter(path: path)
        try bytes.withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    private static func metadata(of graph: InferenceGraph) -> [(String, String)] {
        var entries = [("embkit.labels", graph.labels.joined(separator: "\n")), ("embkit.input", graph.input.documentation)]
        if case .pixels(let shorterSide?) = graph.input { entries.append(("embkit.shorter_side", String(shorterSide))) }
        return entries
    }
}

extension InferenceGraph.Input {
    /// The graph input's name.
    var name: String { isTextFeatures ? "features" : "pixels" }

    var isTextFeatures: Bool {
        if case .textFeatures = self { true } else { false }
    }

    /// How a user prepares the input, in words (stored in the file).
    var documentation: String {
        switch self {
        case .pixels(let shorterSide?):
            "pixels: RGB (or gray) values 0-255 as float, N x C x H x W, after resizing the shorter side to \(shorterSide) (bilinear) "
                + "and cropping the centre to H x W; normalisation is inside the graph"
        case .pixels(nil):
            "pixels: RGB (or gray) values 0-255 as float, N x C x H x W, resized to H x W (bilinear); normalisation is inside the graph"
        case .textFeatures(let pooling):
            "features: one vector per text, the \(pooling) (EmbeddingKit computes it); the graph is the text model's head"
        }
    }
}

extension TransferModel {
    /// Writes the model as an ONNX file (see `ONNXExporter`).
    /// - Throws: `TransferError.notExportable` for a fastText model; `EmbeddingFileError` when the file cannot be written.
    public func writeONNX(to path: String, producerVersion: String = "") throws {
        try ONNXExporter.write(inferenceGraph(), to: path, producerVersion: producerVersion)
    }
}
