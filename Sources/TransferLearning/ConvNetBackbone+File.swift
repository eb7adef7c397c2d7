import EmbeddingStore
import Foundation
import ImageFeatures
import NeuralNetworks

/// What a backbone file's header records beside the network's tensors.
struct BackboneDescription: Codable {
    var format: String
    var version: Int
    var network: NetworkRecord
    var normalization: PixelNormalization
    var classNames: [String]
    var featureLayer: Int
    /// How it was trained (command, seed, accuracy), for whoever reuses it.
    var provenance: String?

    static let key = "embkit.backbone", formatName = "embkit-backbone", version = 1

    /// The description of `backbone`, its tensors added to `tensors`.
    init(_ backbone: ConvNetBackbone, provenance: String? = nil, into tensors: inout [String: TensorContainer.Tensor]) {
        (format, version) = (Self.formatName, Self.version)
        network = NetworkRecord(backbone.network, prefix: "backbone", into: &tensors)
        (normalization, classNames, featureLayer) = (backbone.normalization, backbone.classNames, backbone.featureLayer)
        self.provenance = provenance
    }

    /// The backbone, every part checked against the others.
    func backbone(tensors: [String: TensorContainer.Tensor], path: String) throws -> ConvNetBackbone {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        let network = try network.network(tensors: tensors, prefix: "backbone", path: path)
        try normalization.check(channels: network.inputShape.channels, path: path)
        guard classNames.count == network.outputShape.count, Set(classNames).count == classNames.count else {
            throw fail("header: \(classNames.count) distinct class names for \(network.outputShape.count) outputs")
        }
        guard (1...network.layers.count).contains(featureLayer) else { throw fail("header: feature layer \(featureLayer) is not a layer") }
        return ConvNetBackbone(network: network, normalization: normalization, classNames: classNames, featureLayer: featureLayer)
    }
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

extension ConvNetBackbone {
    /// Writes the backbone to `path` atomically as a checksummed tensor container.
    /// - Parameters:
    ///   - path: the output file.
    ///   - provenance: how it was made (the command, seed and accuracy), kept in the header.
    /// - Throws: `ModelFileError` when it cannot be written.
    public func write(to path: String, provenance: String? = nil) throws {
        var tensors: [String: TensorContainer.Tensor] = [:]
        let description = BackboneDescription(self, provenance: provenance, into: &tensors)
        let header = String(decoding: try JSONEncoder.sorted.encode(description), as: UTF8.self)
        do { try TensorContainer(metadata: [BackboneDescription.key: header], tensors: tensors).write(to: path) } catch let error as EmbeddingFileError {
            throw ModelFileError(path: path, message: error.message)
        }
    }

    /// Reads a backbone file, checking its checksums and every shape.
    /// - Throws: `ModelFileError` naming the file and the damaged or inconsistent part.
    public init(contentsOf path: String) throws {
        let container = try TensorContainer(contentsOf: path)
        self = try Self.description(in: container, path: path).backbone(tensors: container.tensors, path: path)
    }

    /// How the backbone at `path` was made, as its header records it.
    public static func provenance(ofFileAt path: String) throws -> String? {
        try description(in: TensorContainer(contentsOf: path), path: path).provenance
    }

    private static func description(in container: TensorContainer, path: String) throws -> BackboneDescription {
        guard let header = container.metadata[BackboneDescription.key] else {
            throw ModelFileError(path: path, message: "not an EmbeddingKit backbone (no '\(BackboneDescription.key)' header)")
        }
        let description: BackboneDescription
        do { description = try JSONDecoder().decode(BackboneDescription.self, from: Data(header.utf8)) } catch {
            throw ModelFileError(path: path, message: "header: the backbone description is not valid (\(error))")
        }
        guard description.format == BackboneDescription.formatName, description.version == BackboneDescription.version else {
            throw ModelFileError(path: path, message: "header: format \(description.format) version \(description.version), this build reads version \(BackboneDescription.version)")
        }
        return description
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
