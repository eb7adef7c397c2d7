import Foundation
import LinearAlgebra
import NeuralNetworks
import ONNXImport
import Testing

/// One of ONNX's own node tests (`Fixtures/node/`, copied from Debian's `libonnx-testdata` by
/// `copy_node_tests.py`): a one-node model, its inputs and the outputs ONNX's reference computed.
struct ONNXNodeTest: CustomTestStringConvertible, Sendable {
    let name: String
    var testDescription: String { name }

    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("node").path

    static let all: [ONNXNodeTest] = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted().map(ONNXNodeTest.init)

    /// Tests the importer refuses with an error naming the node or input, each for a reason:
    /// what the graph does not run (yet). Every other copied test must match.
    static let refusals: [String: String] = {
        let groups: [String: [String]] = [
            "integer arithmetic (uint8, int8, int16, int32, int64 and uint64 data)": [
                "test_add_uint8", "test_sub_uint8", "test_mul_uint8", "test_div_uint8", "test_clip_default_int8_inbounds",
                "test_clip_default_int8_max", "test_clip_default_int8_min", "test_maxpool_2d_uint8", "test_pow_types_float",
                "test_pow_types_int32_float32", "test_pow_types_int32_int32", "test_pow_types_int64_float32", "test_pow_types_int64_int64"]
                + ["int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64"].flatMap { ["test_max_\($0)", "test_min_\($0)"] },
            "half-precision (float16, bfloat16) results and strings": [
                "test_cast_BFLOAT16_to_FLOAT", "test_cast_FLOAT_to_BFLOAT16", "test_cast_FLOAT_to_FLOAT16", "test_cast_DOUBLE_to_FLOAT16",
                "test_cast_FLOAT_to_STRING", "test_cast_STRING_to_FLOAT"],
            "pooling over 1 or 3 spatial dimensions": [
                "test_averagepool_1d_default", "test_averagepool_3d_default", "test_maxpool_1d_default", "test_maxpool_3d_default"],
            "training-time outputs (batch statistics, dropout masks, pooling indices) and random dropout": [
                "test_batchnorm_epsilon_training_mode", "test_batchnorm_example_training_mode", "test_dropout_default_mask",
                "test_dropout_default_mask_ratio", "test_maxpool_with_argmax_2d_precomputed_pads", "test_maxpool_with_argmax_2d_precomputed_strides",
                "test_training_dropout", "test_training_dropout_default", "test_training_dropout_default_mask", "test_training_dropout_mask",
                "test_training_dropout_zero_ratio_mask"],
            "edge and reflect padding": ["test_edge_pad", "test_reflect_pad"],
            "optional and sequence inputs, empty dimensions": [
                "test_identity_opt", "test_identity_sequence", "test_reshape_allowzero_reordered", "test_split_zero_size_splits"],
        ]
        return Dictionary(uniqueKeysWithValues: groups.flatMap { reason, names in names.map { ($0, reason) } })
    }()

    private func tensors(_ prefix: String) throws -> [ONNXTensor] {
        let data = "\(Self.folder)/\(name)/test_data_set_0"
        let files = try FileManager.default.contentsOfDirectory(atPath: data).filter { $0.hasPrefix(prefix) }
        return try files.sorted { Int($0.dropFirst(prefix.count).prefix { $0.isNumber })! < Int($1.dropFirst(prefix.count).prefix { $0.isNumber })! }
            .map { try ONNXTensor(contentsOf: "\(data)/\($0)") }
    }

    /// The model with every input but the first made an initializer (operands known at load time,
    /// as weights are), imported with the shapes it declares, run on the first input.
    func run() throws -> (outputs: [Tensor], expected: [ONNXTensor]) {
        let path = "\(Self.folder)/\(name)/model.onnx"
        var model = try ONNXModel(contentsOf: path)
        let inputs = try tensors("input_"), names = model.feedInputs.map(\.name)
        for (position, var tensor) in inputs.enumerated().dropFirst() where position < names.count {
            tensor.name = names[position]
            model.graph.initializers[names[position]] = tensor
        }
        let graph = try Graph(onnx: model, path: path, declaredShapes: true)
        let first = inputs[0]
        let feed = graph.inputs[0].elementType == .float32 ? Tensor(shape: first.dimensions, elements: try first.floatValues())
                                                           : Tensor(shape: first.dimensions, integers: try first.integerValues().map { Int32(clamping: $0) })
        return (try graph.run([feed]), try tensors("output_"))
    }
}

@Suite("ONNX's node conformance tests (libonnx-testdata, ONNX 1.12) for every operator the importer runs")
struct ONNXConformanceTests {
    @Test("outputs within ONNX's tolerance (|ours − reference| ≤ 1e-7 + 1e-3·|reference|), or a refusal naming why", arguments: ONNXNodeTest.all)
    func matchesTheReference(_ test: ONNXNodeTest) throws {
        if let reason = ONNXNodeTest.refusals[test.name] {
            #expect(throws: ONNXError.self, "refused: \(reason)") { try test.run() }
            return
        }
        let (outputs, expected) = try test.run()
        #expect(outputs.count == expected.count)
        for (output, reference) in zip(outputs, expected) {
            #expect(output.shape == reference.dimensions)
            let values = try reference.floatValues()
            let scalars = output.elementType == .float32 ? output.scalars : output.integers.map(Float.init)
            let worst = zip(scalars, values).map { abs($0 - $1) - 1e-3 * abs($1) }.max() ?? 0
            #expect(scalars.count == values.count && worst <= 1e-7, "largest excess \(worst)")
        }
    }

    @Test("the copied tests are all there, and every refusal names a copied test")
    func coverage() {
        let names = Set(ONNXNodeTest.all.map(\.name))
        #expect(names.count == 335)
        #expect(Set(ONNXNodeTest.refusals.keys).subtracting(names).isEmpty)
    }
}
