import EmbeddingStore
import Foundation
import ImageFeatures
import NeuralNetworks

/// What a file's header records of an image network beside its tensors: the graph, the
/// preprocessing, the class names and the feature value.
struct ImageNetworkDescription: Codable {
    var graph: GraphRecord
    var preprocessing: ImagePreprocessing
    var classNames: [String]
    var featureValue: Graph.Value
    var precision: TensorPrecision

    /// The description of `network`, its tensors added to `tensors` (weights in `precision`).
    init(_ network: ImageNetwork, precision: TensorPrecision, into tensors: inout [String: TensorContainer.Tensor]) {
        graph = GraphRecord(network.graph, prefix: "graph", precision: precision, into: &tensors)
        preprocessing = network.preprocessing
        classNames = network.classNames
        featureValue = network.featureValue
        self.precision = precision
    }

    /// The network, every part checked against the others.
    /// - Throws: `ModelFileError` naming what does not fit.
    func network(tensors: [String: TensorContainer.Tensor], path: String) throws -> ImageNetwork {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        let graph = try graph.graph(tensors: tensors, prefix: "graph", path: path)
        guard let channels = graph.inputs.first?.shape.dropFirst().first ?? nil else { throw fail("header: the network has no image input") }
        try preprocessing.normalization.check(channels: channels, path: path)
        if let side = preprocessing.shorterSide, let height = graph.inputs[0].shape[2], let width = graph.inputs[0].shape[3],
           !(side >= max(height, width) && side <= 16_384) {
            throw fail("header: the preprocessing's shorter side \(side) does not fit the input \(height)×\(width)")
        }
        guard Set(classNames).count == classNames.count else { throw fail("header: repeated class names") }
        do {
            return try ImageNetwork(graph: graph, preprocessing: preprocessing, classNames: classNames, featureValue: featureValue)
        } catch {
            throw fail("header: \(error)")
        }
    }
}

/// What a backbone file's header records: the network and how it was made.
struct BackboneFile: Codable {
    var format: String
    var version: Int
    var network: ImageNetworkDescription
    /// How it was trained (command, seed, accuracy), for whoever reuses it.
    var provenance: String?

    static let key = "embkit.backbone", formatName = "embkit-backbone", version = 2
}

extension PixelNormalization {
    /// Checks a decoded normalisation: one positive, finite deviation and a finite mean per channel.
    func check(channels: Int, path: String) throws {
        guard mean.count == channels, deviation.count == channels, mean.allSatisfy(\.isFinite),
              deviation.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw ModelFileError(path: path, message: "header: the pixel normalisation does not fit \(channels) channels")
        }
    }
}

extension ImageNetwork {
    /// Writes the network to `path` atomically as a checksummed backbone file.
    /// - Parameters:
    ///   - path: the output file.
    ///   - provenance: how it was made (the command, seed and accuracy), kept in the header.
    ///   - precision: the element type of the weights.
    /// - Throws: `ModelFileError` when it cannot be written.
    public func writeBackbone(to path: String, provenance: String? = nil, precision: TensorPrecision = .float32) throws {
        var tensors: [String: TensorContainer.Tensor] = [:]
        let file = BackboneFile(format: BackboneFile.formatName, version: BackboneFile.version,
                                network: ImageNetworkDescription(self, precision: precision, into: &tensors), provenance: provenance)
        let header = String(decoding: try JSONEncoder.sorted.encode(file), as: UTF8.self)
        do { try TensorContainer(metadata: [BackboneFile.key: header], tensors: tensors).write(to: path) } catch let error as EmbeddingFileError {
            throw ModelFileError(path: path, message: error.message)
        }
    }

    /// Reads a backbone file, checking its checksums and every shape.
    /// - Throws: `ModelFileError` naming the file and the damaged or inconsistent part.
    public init(backboneAt path: String) throws {
        try self.init(backbone: try TensorContainer(contentsOf: path), path: path)
    }

    /// The backbone in a container read from `path`.
    init(backbone container: TensorContainer, path: String) throws {
        self = try Self.backboneFile(in: container, path: path).network.network(tensors: container.tensors, path: path)
    }

    /// How the backbone at `path` was made, as its header records it.
    /// - Throws: `ModelFileError` for a file that is not a backbone.
    public static func provenance(ofBackboneAt path: String) throws -> String? {
        try backboneFile(in: TensorContainer(contentsOf: path), path: path).provenance
    }

    /// Whether `container` is a backbone file (it has a backbone header).
    static func isBackbone(_ container: TensorContainer) -> Bool { container.metadata[BackboneFile.key] != nil }

    private static func backboneFile(in container: TensorContainer, path: String) throws -> BackboneFile {
        guard let header = container.metadata[BackboneFile.key] else {
            throw ModelFileError(path: path, message: "not an EmbeddingKit backbone (no '\(BackboneFile.key)' header)")
        }
        let file: BackboneFile
        do { file = try JSONDecoder().decode(BackboneFile.self, from: Data(header.utf8)) } catch {
            throw ModelFileError(path: path, message: "header: the backbone description is not valid (\(error))")
        }
        guard file.format == BackboneFile.formatName, file.version == BackboneFile.version else {
            throw ModelFileError(path: path, message: "header: format \(file.format) version \(file.version), this build reads version \(BackboneFile.version)"
                                 + (file.version < BackboneFile.version ? " (written by an earlier EmbeddingKit: pre-train it again)" : ""))
        }
        return file
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys, so the same model gives the same bytes.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}
