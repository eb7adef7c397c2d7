import Foundation
import LinearAlgebra
import NeuralNetworks
import ONNXImport
import Testing

/// One whole training step of an imported MobileNetV2 against PyTorch autograd (the golden of
/// `Fixtures/make_mobilenet_step.py`, computed in float64).
@Suite struct MobileNetTrainingStepTests {
    private struct Golden: Decodable {
        struct Named: Decodable {
            let name: String
            let shape: [Int]
        }

        let labels: [Int]
        let loss: Double
        let logits: [Float]
        let parameters: [Named]
        let statistics: [Named]
        // swiftlint:disable:next identifier_name
        let torch_float32_error: Double
    }

    private static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

    private static func floats(_ name: String) throws -> [Float] {
        let data = try Data(contentsOf: fixtures.appendingPathComponent(name))
        return data.withUnsafeBytes { bytes in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self))) }
        }
    }

    /// The values `expected` lists by name, cut from one flat array in order.
    private static func split(_ flat: [Float], _ expected: [Golden.Named]) -> [String: [Float]] {
        var start = 0, result: [String: [Float]] = [:]
        for named in expected {
            let count = named.shape.reduce(1, *)
            result[named.name] = Array(flat[start..<(start + count)])
            start += count
        }
        return result
    }

    /// The largest difference over the largest reference magnitude (at least 0.01: gradients that
    /// are exactly 0 are met to ~1e-6 in float32, by PyTorch too).
    private static func error(_ actual: [Float], _ expected: [Float]) -> Float {
        let scale = max(expected.map(abs).max() ?? 0, 0.01)
        return zip(actual, expected).map { abs($0 - $1) }.max().map { $0 / scale } ?? .infinity
    }

    @Test("a whole MobileNetV2 training step — loss, logits, every parameter's gradient, the running statistics — equals PyTorch's",
          arguments: [1, 2])
    func stepEqualsPyTorch(threads: Int) throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Self.fixtures.appendingPathComponent("mobilenet_v2_step.json")))
        let path = Self.fixtures.appendingPathComponent("mobilenet_v2_step.onnx").path
        let graph = try Graph(onnx: try ONNXModel(contentsOf: path), path: path)
        let images = Tensor(shape: [golden.labels.count, 3, 64, 64], elements: try Self.floats("mobilenet_v2_step.input.f32"))

        let pass = try graph.trainingPass([images], scope: TrainingScope(), seed: 1, parallelism: Parallelism(threadCount: threads))
        let (loss, lossGradient) = OutputLoss.softmax.batchLossAndGradient(logits: pass.outputs[0], labels: golden.labels)
        #expect(abs(loss - golden.loss) < 1e-4 * golden.loss, "loss \(loss), PyTorch \(golden.loss)")
        #expect(Self.error(pass.outputs[0].scalars, golden.logits) < 1e-4)

        // Every parameter PyTorch trains has a gradient, within a few times PyTorch's own float32 error.
        let gradients = graph.backward(pass, outputGradients: [lossGradient])
        let ours = Dictionary(uniqueKeysWithValues: gradients.map { (graph.parameters[$0.key].name, $0.value) })
        let expected = Self.split(try Self.floats("mobilenet_v2_step.gradients.f32"), golden.parameters)
        #expect(Set(ours.keys) == Set(expected.keys))
        #expect(golden.torch_float32_error < 1e-3)
        for named in golden.parameters {
            let gradient = try #require(ours[named.name], "\(named.name) has no gradient")
            #expect(gradient.shape == named.shape, "\(named.name)")
            #expect(Self.error(gradient.scalars, expected[named.name]!) < 2e-3, "\(named.name): \(Self.error(gradient.scalars, expected[named.name]!))")
        }

        // The running statistics move as PyTorch's do (momentum 0.1, unbiased variance).
        let statistics = Self.split(try Self.floats("mobilenet_v2_step.statistics.f32"), golden.statistics)
        let updates = Dictionary(uniqueKeysWithValues: pass.statisticUpdates.map { (graph.parameters[$0.key].name, $0.value.scalars) })
        #expect(Set(updates.keys) == Set(statistics.keys))
        for (name, values) in statistics {
            #expect(Self.error(updates[name] ?? [], values) < 1e-4, "\(name)")
        }
    }
}
