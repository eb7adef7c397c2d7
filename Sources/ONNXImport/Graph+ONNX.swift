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
    ///   - dimensions: sizes of the named (symbolic) input dimensions, such as a transformer's
    ///     `["sequence": 128]`; a named first dimension given here is fixed, not the batch
    ///     (an exporter's attention-mask arithmetic may need the batch known, as `["batch": 8]`).
    /// - Throws: `ONNXError` naming the node of anything the importer cannot use.
    public init(onnx model: ONNXModel, path: String, inputSize: (height: Int, width: Int)? = nil, declaredShapes: Bool = false,
                dimensions: [String: Int] = [:]) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        self = try GraphImport.graph(from: model, path: path, modelFolder: folder, inputSize: inputSize, declaredShapes: declaredShapes,
                                     dimensions: dimensions)
    }
}
