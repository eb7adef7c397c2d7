import Foundation
import ImageFeatures
import NeuralNetworks

extension GraphBackbone {
    /// Reads an ONNX image classifier (N × C × H × W float images → N × classes scores).
    /// - Parameters:
    ///   - path: the `.onnx` file (external data, if any, beside it).
    ///   - classNames: one name per output (default: the names an EmbeddingKit export stores in
    ///     its metadata, else `0`, `1`, …).
    ///   - preprocessing: how photos become inputs (default: pixel values 0…255 for an
    ///     EmbeddingKit export, whose graph normalises them, else torchvision's ImageNet recipe).
    /// - Throws: `ONNXError` naming the byte or node of anything the importer cannot use.
    public init(onnx path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing? = nil) throws {
        let model = try ONNXModel(contentsOf: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let imported = try GraphImport.network(from: model, path: path, modelFolder: folder)
        let outputs = imported.network.outputShape.count
        let storedNames = model.metadata["embkit.labels"].map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        let names = classNames ?? storedNames ?? (0..<outputs).map(String.init)
        let preprocessing = preprocessing ?? Self.exportedPreprocessing(model, channels: imported.network.inputShape.channels) ?? .torchvision
        guard names.count == outputs else {
            throw ONNXError(path: path, message: "the model has \(outputs) outputs; \(names.count) class names were given")
        }
        guard preprocessing.normalization.channels == imported.network.inputShape.channels else {
            throw ONNXError(path: path, message: "the preprocessing has \(preprocessing.normalization.channels) channels; the model takes \(imported.network.inputShape.channels)")
        }
        self.init(network: imported.network, preprocessing: preprocessing, classNames: names,
                  featureValue: imported.globalPool ?? imported.network.output)
    }

    /// An EmbeddingKit export's preparation: raw pixel values (its graph normalises them), resized
    /// through its stored shorter side; nil for other files.
    private static func exportedPreprocessing(_ model: ONNXModel, channels: Int) -> ImagePreprocessing? {
        guard model.producer.hasPrefix("EmbeddingKit"), model.metadata["embkit.input"]?.hasPrefix("pixels") == true else { return nil }
        let shorterSide = model.metadata["embkit.shorter_side"].flatMap { Int($0) }.flatMap { (1...65_536).contains($0) ? $0 : nil }
        let rawPixels = PixelNormalization(mean: [Float](repeating: 0, count: channels), deviation: [Float](repeating: 1 / 255, count: channels))
        return ImagePreprocessing(shorterSide: shorterSide, normalization: rawPixels, presetName: "pixels")
    }
}
