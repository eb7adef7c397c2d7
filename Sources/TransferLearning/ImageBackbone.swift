import Foundation
import ImageFeatures
import NeuralNetworks
import ONNXImport

/// A pre-trained image network of any kind the toolkit reads: the small ConvNet pre-trained here
/// (a backbone file), or a published ImageNet network (an ONNX file, or a model file that holds
/// one used as it is).
public enum ImageBackbone: Sendable {
    /// The small ConvNet.
    case convNet(ConvNetBackbone)
    /// An imported graph network.
    case graph(GraphBackbone)

    /// Opens whatever image backbone `path` holds: an `.onnx` file, an EmbeddingKit backbone file,
    /// or a model file of an imported network used as it is.
    /// - Parameters:
    ///   - path: the file.
    ///   - classNames: for ONNX files, one name per output (default: as `GraphBackbone(onnx:)`).
    ///   - preprocessing: for ONNX files, how photos become inputs (default: as `GraphBackbone(onnx:)`).
    /// - Throws: `ONNXError` or `ModelFileError` naming what cannot be used.
    public init(contentsOf path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing? = nil) throws {
        if path.lowercased().hasSuffix(".onnx") {
            self = .graph(try GraphBackbone(onnx: path, classNames: classNames, preprocessing: preprocessing))
            return
        }
        do {
            self = .convNet(try ConvNetBackbone(contentsOf: path))
        } catch let error as ModelFileError where error.message.hasPrefix("not an EmbeddingKit backbone") {
            let model = try TransferModel(contentsOf: path)
            guard case .graphNet(let backbone) = model.body else {
                throw ModelFileError(path: path, message: "a model file, not a backbone (only an imported network used as it is serves as one)")
            }
            self = .graph(backbone)
        }
    }

    /// The shape images are fitted to.
    public var inputShape: MapShape {
        switch self {
        case .convNet(let backbone): backbone.inputShape
        case .graph(let backbone): backbone.inputShape
        }
    }

    /// The length a photo's shorter side is scaled to before the centre crop (nil: straight to the input size).
    public var shorterSide: Int? {
        switch self {
        case .convNet: nil
        case .graph(let backbone): backbone.preprocessing.shorterSide
        }
    }

    /// The network used as it is, on its own classes.
    public var pretrainedModel: TransferModel {
        switch self {
        case .convNet(let backbone): TransferModel(backbone: backbone)
        case .graph(let backbone): TransferModel(graphBackbone: backbone)
        }
    }
}

extension TransferModel {
    /// Trains an image classifier on `images` by `strategy` from any backbone: the small ConvNet
    /// (`train(_:backbone:…)`) or an imported network (`train(_:graphBackbone:…)`).
    /// - Throws: what those throw.
    public static func train(
        _ strategy: TransferStrategy, imageBackbone: ImageBackbone, on images: ImageSet, validation: ImageSet? = nil,
        head: ClassifierHead = .logisticRegression(), settings: ImageTrainingSettings? = nil, seed: UInt64 = 1,
        progress: TrainingProgress? = nil
    ) throws -> TransferModel {
        switch imageBackbone {
        case .convNet(let backbone):
            return try train(strategy, backbone: backbone, on: images, validation: validation, head: head, settings: settings, seed: seed,
                             progress: progress)
        case .graph(let backbone):
            return try train(strategy, graphBackbone: backbone, on: images, validation: validation, head: head, settings: settings?.schedule,
                             seed: seed, progress: progress)
        }
    }

    /// Opens whatever image model `path` holds: a model file, a backbone file (its own classes),
    /// or an ONNX classifier (used as it is, with `classNames` and `preprocessing`).
    /// - Throws: `ModelFileError`, `ONNXError`, or `TransferError.wrongInputs` for a text model.
    public init(imageModelAt path: String, classNames: [String]? = nil, preprocessing: ImagePreprocessing? = nil) throws {
        if path.lowercased().hasSuffix(".onnx") {
            self = try ImageBackbone(contentsOf: path, classNames: classNames, preprocessing: preprocessing).pretrainedModel
            return
        }
        do {
            self = try TransferModel(contentsOf: path)
        } catch let error as ModelFileError where error.message.hasPrefix("not an EmbeddingKit model") {
            self = TransferModel(backbone: try ConvNetBackbone(contentsOf: path))
        }
        guard imageInputShape != nil else { throw TransferError.wrongInputs(expected: "texts (use test / predict, not image test / predict)") }
    }
}
