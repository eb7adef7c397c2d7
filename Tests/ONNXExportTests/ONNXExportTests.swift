import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import ONNXExport
import ONNXImport
import Testing
import TransferLearning

/// The fixtures folder: the exported models and onnxruntime's outputs for them (`make_export_goldens.py`).
private let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

private func floats(_ name: String) throws -> [Float] {
    let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
    return data.withUnsafeBytes { bytes in
        (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
}

private func maximumDifference(_ actual: Matrix, _ expected: [Float]) -> Float {
    let values = actual.withUnsafeBufferPointer { Array($0) }
    guard values.count == expected.count else { return .infinity }
    return zip(values, expected).map { abs($0 - $1) }.max() ?? 0
}

/// The batch of 3 inputs onnxruntime was given, as the model's inputs: images for image models
/// (the fixture holds whole pixel values), pooled vectors for text models.
private func probabilities(of model: TransferModel, input: [Float]) throws -> Matrix {
    if let pooled = model.body as? PooledFeaturesModel {
        return pooled.head.classifier.probabilities(for: Matrix(rows: 3, columns: input.count / 3, elements: input))
    }
    let shape = try #require(model.imageInputShape)
    let images = ImageSet(shape: shape, pixels: input.map { UInt8($0) }, labels: [0, 0, 0], classNames: model.labels, sources: ["0", "1", "2"])
    return try model.probabilities(for: images)
}

@Suite struct ONNXExportTests {
    /// onnxruntime's probabilities on the committed exported file equal the model's own.
    @Test(arguments: ExportedModels.names)
    func onnxruntimeComputesTheModelsProbabilities(_ name: String) throws {
        let model = try ExportedModels.model(named: name)
        let expected = try floats("\(name).output.f32")
        let actual = try probabilities(of: model, input: try floats("\(name).input.f32"))
        #expect(maximumDifference(actual, expected) < 2e-6, "\(name): \(maximumDifference(actual, expected))")
    }

    /// The committed file is exactly what the exporter writes today (so onnxruntime's outputs
    /// above are outputs of this exporter); on a change, run the fixture script again.
    @Test(arguments: ExportedModels.names)
    func theCommittedFileIsTheExportersOutput(_ name: String) throws {
        let committed = try Data(contentsOf: fixtures.appendingPathComponent("\(name).onnx"))
        let written = try ONNXExporter.modelBytes(for: try ExportedModels.model(named: name).inferenceGraph(), producerVersion: "test")
        #expect([UInt8](committed) == written, "\(name): regenerate with Tests/ONNXExportTests/Fixtures/make_export_goldens.py")
    }

    /// An exported image model read back by the importer predicts the same, with its class names
    /// and preprocessing from the file's metadata.
    @Test(arguments: ExportedModels.names.filter { !$0.hasPrefix("text") })
    func readsBackThroughTheImporter(_ name: String) throws {
        let model = try ExportedModels.model(named: name)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(name)-\(getpid()).onnx").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.writeONNX(to: path)
        let network = try ImageNetwork(onnx: path)
        #expect(network.classNames == model.labels)
        #expect(network.preprocessing.shorterSide == model.imageShorterSide)
        let input = try floats("\(name).input.f32")
        let reread = try probabilities(of: TransferModel(imageNetwork: network), input: input)
        #expect(maximumDifference(reread, try probabilities(of: model, input: input).withUnsafeBufferPointer { Array($0) }) < 2e-6)
    }

    @Test func declaresTheInputsOutputsAndMetadataOfAnImageModel() throws {
        let bytes = try ONNXExporter.modelBytes(for: try ExportedModels.model(named: "graph").inferenceGraph(), producerVersion: "9.9")
        let model = try ONNXModel(bytes: bytes, path: "graph.onnx")
        #expect(model.irVersion == 8 && model.opsetVersion == Int64(ONNXExporter.opsetVersion))
        #expect(model.producer == "EmbeddingKit 9.9")
        #expect(model.graph.inputs.map(\.name) == ["pixels"] && model.graph.outputs.map(\.name) == ["probabilities"])
        #expect(model.graph.inputs[0].dimensions == [.symbolic("N"), .fixed(3), .fixed(12), .fixed(12)])
        #expect(model.graph.outputs[0].dimensions == [.symbolic("N"), .fixed(5)])
        #expect(model.metadata["embkit.labels"] == "class 0\nclass 1\nclass 2\nclass 3\nclass 4")
        #expect(model.metadata["embkit.shorter_side"] == "14")
        #expect(model.graph.nodes.last?.opType == "Flatten" || model.graph.nodes.last?.opType == "Identity")
    }

    @Test func textModelsExportTheirHeadOverTheFeatures() throws {
        let graph = try ExportedModels.model(named: "text-features-logistic").inferenceGraph()
        let model = try ONNXModel(bytes: try ONNXExporter.modelBytes(for: graph), path: "text.onnx")
        #expect(model.graph.inputs.map(\.name) == ["features"])
        #expect(model.graph.inputs[0].dimensions == [.symbolic("N"), .fixed(12)])
        #expect(model.metadata["embkit.input"]?.contains("mean-max of word vectors") == true)
        #expect(model.graph.nodes.map(\.opType) == ["Gemm", "Softmax", "Identity"])
    }

    /// Writes the fixture models into the source tree (`EMBKIT_WRITE_EXPORT_FIXTURES=1 swift test
    /// --filter writeFixtures`, run by `make_export_goldens.py`).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["EMBKIT_WRITE_EXPORT_FIXTURES"] != nil))
    func writeFixtures() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
        for name in ExportedModels.names {
            let bytes = try ONNXExporter.modelBytes(for: try ExportedModels.model(named: name).inferenceGraph(), producerVersion: "test")
            try Data(bytes).write(to: folder.appendingPathComponent("\(name).onnx"))
        }
    }
}
