import Foundation
import ImageFeatures
import NeuralNetworks

extension GraphBackbone {
    /// Reads an ONNX image classifier (N × C × H × W float images → N × classes scores).
    /// - Parameters:
    ///   - classNames: one name per output (default: `0`, `1`, …).
    ///   - preprocessing: how photos become inputs (default: torchvision's ImageNet recipe).
    /// - Throws: `ONNXError` naming the byte or node of anything the importer cannot use.
    public init(onnx path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing = .torchvision) throws {
        let model = try ONNXModel(contentsOf: path)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let imported = try GraphImport.network(from: model, path: path, modelFolder: folder)
        let outputs = imported.network.outputShape.count
        let names = classNames ?? (0..<outputs).map(String.init)
        guard names.count == outputs else {
            throw ONNXError(path: path, message: "the model has \(outputs) outputs; \(names.count) class names were given")
        }
        guard preprocessing.normalization.channels == imported.network.inputShape.channels else {
            throw ONNXError(path: path, message: "the preprocessing has \(preprocessing.normalization.channels) channels; the model takes \(imported.network.inputShape.channels)")
        }
        self.init(network: imported.network, preprocessing: preprocessing, classNames: names,
                  featureValue: imported.globalPool ?? imported.network.output)
    }
}
