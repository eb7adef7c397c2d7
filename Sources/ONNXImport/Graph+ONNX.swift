import Foundation
import NeuralNetworks

extension Graph {
    /// The graph of an ONNX model, operator by operator (see `GraphImport`).
    /// - Parameters:
    ///   - model: the decoded model (`ONNXModel(contentsOf:)`).
    ///   - path: its file, for errors and for external data beside it.
    ///   - inputSize: an image input's height and width where the graph leaves them open.
    ///   - declaredShapes: take every input dimension as the file declares it; by default the
    ///     first is the batch, free to vary whatever size the exporter traced it with.
    /// - Throws: `ONNXError` naming the node of anything the importer cannot use.
    public init(onnx model: ONNXModel, path: String, inputSize: (height: Int, width: Int)? = nil, declaredShapes: Bool = false) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        self = try GraphImport.graph(from: model, path: path, modelFolder: folder, inputSize: inputSize, declaredShapes: declaredShapes)
    }
}
