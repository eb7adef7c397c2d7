import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import ONNXImport
import Testing
import TransferLearning

/// The fixtures folder: small ONNX graphs and onnxruntime's outputs for them (`make_onnx_fixtures.py`).
private let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

private func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

private func floats(_ name: String) throws -> [Float] {
    let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
    return data.withUnsafeBytes { bytes in
        (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
    }
}

/// The largest difference between `actual` and `expected`, relative to the largest expected magnitude.
private func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    let scale = max(expected.map(abs).max() ?? 1, 1e-6)
    return zip(actual, expected).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
}

@Suite struct ONNXImportTests {
    /// The graph of fixture `name`.
    private func graph(_ name: String) throws -> Graph {
        try Graph(onnx: try ONNXModel(contentsOf: fixture("\(name).onnx")), path: fixture("\(name).onnx"))
    }

    /// The fixture's input: two examples of the graph's input shape.
    private func input(_ name: String, _ graph: Graph) throws -> Tensor {
        Tensor(shape: [2] + graph.inputs[0].shape.dropFirst().map { $0! }, elements: try floats("\(name).input.f32"))
    }

    @Test(arguments: ["convolutions", "activations", "shape_arithmetic", "batch_following"])
    func outputsEqualOnnxruntimes(_ name: String) throws {
        let imported = try graph(name)
        if name == "batch_following" {
            // The class token follows the batch of the activation beside it, not the batch it was traced with.
            #expect(imported.nodes.contains { $0.operation is BroadcastAlong })
        }
        let input = try input(name, imported), expected = try floats("\(name).output.f32")
        for threads in [1, 2] {
            for graph in [imported, imported.optimizedForInference()] {
                let actual = try graph.run([input], parallelism: Parallelism(threadCount: threads))[0].scalars
                #expect(actual.count == expected.count)
                #expect(relativeError(actual, expected) < 1e-5, "\(name), \(threads) thread(s): \(relativeError(actual, expected))")
                // One example at a time gives the same values as the batch.
                let alone = try graph.run([input.rows([0])], parallelism: Parallelism(threadCount: threads))[0].scalars
                #expect(relativeError(alone, Array(actual[..<alone.count])) < 1e-6)
            }
        }
    }

    @Test("a masked-attention encoder written as torch exports BERT (int64 ids and mask, a named sequence dimension, booleans through Cast, comparisons, And, Where and IsNaN) equals onnxruntime at any batch, and trains its embedding table")
    func maskedAttentionEqualsOnnxruntime() throws {
        let path = fixture("masked_attention.onnx"), model = try ONNXModel(contentsOf: path)
        #expect {
            _ = try Graph(onnx: model, path: path)
        } throws: { error in
            "\(error)".contains("input 'input_ids' leaves dimension 1 ('sequence') open")
        }
        let graph = try Graph(onnx: model, path: path, dimensions: ["sequence": 6])
        #expect(graph.inputs.map(\.elementType) == [.int32, .int32] && graph.inputs[0].shape == [nil, 6])
        let values = try Data(contentsOf: fixtures.appendingPathComponent("masked_attention.input.i32")).withUnsafeBytes { bytes in
            (0..<(bytes.count / 4)).map { Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        }
        let ids = Tensor(shape: [3, 6], integers: Array(values[..<18])), mask = Tensor(shape: [3, 6], integers: Array(values[18...]))
        let expected = try floats("masked_attention.output.f32")
        for network in [graph, graph.optimizedForInference()] {
            let actual = try network.run([ids, mask])[0]
            #expect(actual.shape == [3, 4] && relativeError(actual.scalars, expected) < 1e-5, "\(relativeError(actual.scalars, expected))")
            // The second sentence alone: the same values as in the batch.
            let alone = try network.run([Tensor(shape: [1, 6], integers: Array(values[6..<12])), Tensor(shape: [1, 6], integers: Array(values[24..<30]))])[0]
            #expect(relativeError(alone.scalars, Array(expected[4..<8])) < 1e-5)
        }
        // The table is an embedding: it trains, and only the rows of ids read get a gradient.
        guard let table = graph.parameters.firstIndex(where: { $0.name == "table" }) else {
            Issue.record("the embedding table should be a parameter")
            return
        }
        #expect(graph.parameters[table].kind == .weight)
        let pass = try graph.trainingPass([ids, mask], scope: TrainingScope(), seed: 1)
        let gradient = graph.backward(pass, outputGradients: [Tensor(repeating: 1, shape: [3, 4])])[table]!.scalars
        let rows = (0..<20).map { row in gradient[(row * 8)..<(row * 8 + 8)].contains { $0 != 0 } }
        #expect(rows[3] && rows[7] && rows[12] && rows[19] && rows[5] && rows[2])
        #expect(!rows[1] && !rows[4] && !rows[18])
    }

    @Test func importsBatchNormalizationAsANodeAndFoldsItOnlyForInference() throws {
        let imported = try graph("convolutions")
        // The imported graph trains as exported: its batch normalisations are nodes with running statistics.
        #expect(imported.nodes.filter { $0.operation is BatchNormalization }.count == 2)
        #expect(imported.parameters.filter { $0.kind == .statistic }.count == 4)
        // For prediction they fold into the convolutions, as do the ReLU and the Clip after them.
        let working = imported.optimizedForInference().nodes.filter { !($0.operation is Identity) }
        #expect(working.count == 6)
        let convolutions = working.compactMap { $0.operation as? Convolution }
        #expect(convolutions.count == 5 && convolutions[0].clamp == 0...Float.infinity && convolutions[1].clamp == 0...6)
        let padded = try graph("shape_arithmetic")
        guard let convolution = padded.nodes[0].operation as? Convolution else {
            Issue.record("the zero Pad should fold into the convolution after it")
            return
        }
        let geometry = convolution.geometry
        let pads: [Int] = [geometry.padTop, geometry.padBottom, geometry.padLeft, geometry.padRight]
        // hw_pads [1, 2, 0, 1] reversed pairwise and transposed, as PyTorch's exporter does: H 0/1, W 1/2.
        #expect(pads == [0, 1, 1, 2])
    }

    @Test("an integer operand computed from the batch size, which only Reshape can follow, is refused naming the node, not folded at batch 1")
    func batchDependentSliceIsRefused() throws {
        #expect {
            _ = try graph("batch_slice")
        } throws: { error in
            "\(error)".contains("slice_to_batch") && "\(error)".contains("computed from the batch size")
        }
    }

    @Test("a framework's multi-value initializers read by elementwise operators train (scales, shifts); scalars stay constants; they are not layers of their own")
    func elementwiseInitializersTrain() throws {
        let graph = try graph("activations")
        func kind(_ name: String) -> Graph.Parameter.Kind? { graph.parameters.first { $0.name == name }?.kind }
        #expect(kind("scale") == .weight && kind("shift") == .weight)
        #expect(kind("half") == .constant && kind("two") == .constant)
        #expect(graph.weightedLayers.allSatisfy { !(graph.nodes[$0].operation is Mul) && !(graph.nodes[$0].operation is Add) })
    }

    @Test("a weight holding NaN is refused at load, naming it")
    func nonFiniteWeightsAreRefused() throws {
        #expect {
            _ = try graph("nan_weights")
        } throws: { error in
            "\(error)".contains("weight 'filters' element 5 is NaN or infinite")
        }
    }

    @Test func unsupportedOperatorNamesTheNode() throws {
        #expect {
            _ = try ImageNetwork(onnx: fixture("unsupported.onnx"))
        } throws: { error in
            let message = "\(error)"
            return message.contains("the_lp_norm") && message.contains("LpNormalization") && message.contains("unsupported.onnx")
        }
    }

    @Test func truncatedFilesAreErrorsNamingTheByte() throws {
        let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("convolutions.onnx")))
        // The opset comes after the graph (fields in number order): a cut there leaves a valid model.
        for cut in stride(from: 0, to: bytes.count - 16, by: 37) {
            #expect(throws: ONNXError.self, "cut at \(cut)") { _ = try importAll(Array(bytes[..<cut])) }
        }
    }

    @Test func damagedBytesNeverCrash() throws {
        let bytes = [UInt8](try Data(contentsOf: fixtures.appendingPathComponent("activations.onnx")))
        var generator = SplitMix64(seed: 11)
        var refused = 0
        for _ in 0..<400 {
            var damaged = bytes
            damaged[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            do { _ = try importAll(damaged) } catch is ONNXError { refused += 1 }
        }
        #expect(refused > 0)
    }

    @Test func hostileSizesAreRefusedBeforeAllocating() throws {
        // A tensor claiming 2^40 × 2^40 floats, and a length prefix far past the end of the file.
        var tensor: [UInt8] = [0x08] + varint(1 << 40) + [0x08] + varint(1 << 40) + [0x10, 0x01]
        tensor += [0x42, 0x01, 0x77]  // name "w"
        var graph: [UInt8] = [0x2A] + varint(UInt64(tensor.count)) + tensor
        graph += [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]  // a node claiming 4 GiB
        let model: [UInt8] = [0x08, 0x07, 0x3A] + varint(UInt64(graph.count)) + graph
        #expect(throws: ONNXError.self) { _ = try importAll(model) }
        let bigTensorOnly: [UInt8] = [0x08, 0x07, 0x3A] + varint(UInt64(tensor.count + 2)) + [0x2A] + varint(UInt64(tensor.count)) + tensor
        #expect(throws: ONNXError.self) { _ = try importAll(bigTensorOnly) }
    }

    @Test func graphModelFilesRoundTrip() throws {
        // The fixture's maps pooled into 9 class scores make it a classifier.
        let imported = try graph("activations")
        var builder = GraphBuilder(continuing: imported)
        let pooled = builder.node(GlobalAveragePool(), [imported.outputs[0]])
        let scores = builder.node(Flatten(), [pooled])
        let classifier = try builder.graph(outputs: [scores])
        let input = try input("activations", classifier)
        let expected = try classifier.run([input])[0].scalars
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("onnx-roundtrip-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = TransferModel(imageNetwork: try ImageNetwork(graph: classifier, preprocessing: .torchvision,
                                                                 classNames: (0..<9).map { "class \($0)" }))
        for precision in TensorPrecision.allCases {
            let path = folder.appendingPathComponent("model-\(precision.rawValue).ekm").path
            try model.write(to: path, precision: precision)
            let read = try TransferModel(contentsOf: path)
            guard let restored = read.imageNetwork else {
                Issue.record("an image model should read back as one")
                return
            }
            let actual = try restored.graph.run([input])[0].scalars
            if precision == .float32 { #expect(actual == expected) } else { #expect(relativeError(actual, expected) < 3e-3) }
            #expect(read.labels == model.labels && restored.preprocessing == .torchvision)
        }
    }

    private func importAll(_ bytes: [UInt8]) throws -> ImageNetwork? {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString).onnx").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try ImageNetwork(onnx: path)
    }

    private func varint(_ value: UInt64) -> [UInt8] {
        var value = value, bytes: [UInt8] = []
        repeat {
            bytes.append(UInt8(value & 0x7F) | (value > 0x7F ? 0x80 : 0))
            value >>= 7
        } while value > 0
        return bytes
    }
}
