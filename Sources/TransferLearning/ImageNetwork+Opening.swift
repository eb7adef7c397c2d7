import Foundation
import ImageFeatures
import NeuralNetworks
import ONNXImport

extension ImageNetwork {
    /// Reads an ONNX image classifier (N × C × H × W float images → N × classes scores).
    /// - Parameters:
    ///   - path: the `.onnx` file (external data, if any, beside it).
    ///   - classNames: one name per output (default: the names an EmbeddingKit export stores in
    ///     its metadata, else `0`, `1`, …).
    ///   - preprocessing: how photos become inputs (default: pixel values 0…255 for an
    ///     EmbeddingKit export, whose graph normalises them, else torchvision's ImageNet recipe).
    ///     A preset's shorter side scales with the model's input (`ImagePreprocessing.scaled`).
    /// - Throws: `ONNXError` naming the byte or node of anything the importer cannot use.
    public init(onnx path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing? = nil) throws {
        let model = try ONNXModel(contentsOf: path)
        let graph = try Graph(onnx: model, path: path)
        guard graph.inputs.count == 1, graph.inputs[0].shape.count == 4, let channels = graph.inputs[0].shape[1] else {
            throw ONNXError(path: path, message: "an image classifier has one N × C × H × W input; this graph has \(graph.inputs.count) inputs")
        }
        let outputShape = graph.shape(of: graph.outputs[0])
        guard outputShape.count == 2 else { throw ONNXError(path: path, message: "the output has shape \(outputShape), not N × classes") }
        let storedNames = model.metadata["embkit.labels"].map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let names = classNames ?? storedNames ?? (0..<outputShape[1]).map(String.init)
        let exported = preprocessing == nil ? Self.exportedPreprocessing(model, channels: channels) : nil
        var chosen = preprocessing ?? exported ?? .torchvision
        if exported == nil, let name = chosen.presetName, ImagePreprocessing.presets[name] != nil,
           let height = graph.inputs[0].shape[2], let width = graph.inputs[0].shape[3] {
            chosen = chosen.scaled(toInputHeight: height, width: width)
        }
        guard names.count == outputShape[1] else {
            throw ONNXError(path: path, message: "the model has \(outputShape[1]) outputs; \(names.count) class names were given")
        }
        do {
            self = try ImageNetwork(graph: graph, preprocessing: chosen, classNames: names)
        } catch {
            throw ONNXError(path: path, message: "\(error)")
        }
    }

    /// An EmbeddingKit export's preparation: raw pixel values (its graph normalises them), resized
    /// through its stored shorter side; nil for other files.
    private static func exportedPreprocessing(_ model: ONNXModel, channels: Int) -> ImagePreprocessing? {
        guard model.producer.hasPrefix("EmbeddingKit"), model.metadata["embkit.input"]?.hasPrefix("pixels") == true else { return nil }
        let shorterSide = model.metadata["embkit.shorter_side"].flatMap { Int($0) }.flatMap { (1...65_536).contains($0) ? $0 : nil }
        let rawPixels = PixelNormalization(mean: [Float](repeating: 0, count: channels), deviation: [Float](repeating: 1 / 255, count: channels))
        return ImagePreprocessing(shorterSide: shorterSide, normalization: rawPixels, presetName: "pixels")
    }

    /// Opens whatever image network `path` holds: an `.onnx` file, an EmbeddingKit backbone file,
    /// or the network of an image model file.
    /// - Parameters:
    ///   - path: the file.
    ///   - classNames: for ONNX files, one name per output (default: as `init(onnx:)`).
    ///   - preprocessing: for ONNX files, how photos become inputs (default: as `init(onnx:)`).
    /// - Throws: `ONNXError` or `ModelFileError` naming what cannot be used.
    public init(contentsOf path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing? = nil) throws {
        if path.lowercased().hasSuffix(".onnx") {
            self = try ImageNetwork(onnx: path, classNames: classNames, preprocessing: preprocessing)
            return
        }
        let container = try TensorContainer(contentsOf: path)
        if Self.isBackbone(container) {
            self = try ImageNetwork(backbone: container, path: path)
            return
        }
        let model = try TransferModel(container: container, path: path)
        guard let network = model.body as? ImageNetwork else {
            throw ModelFileError(path: path, message: "a text model, not an image network")
        }
        self = network
    }
}
