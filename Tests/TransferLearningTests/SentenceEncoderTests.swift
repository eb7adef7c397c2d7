import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing
import TextFeatures
import TransferLearning

/// A tiny random BERT in sentence-transformers' layout and PyTorch's forward and gradients of it
/// (`Fixtures/tiny-bert/make_tiny_bert.py`).
private let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tiny-bert").path

private struct Goldens: Decodable {
    struct Batch: Decodable {
        let ids: [[Int32]], mask: [[Int32]]
        let hidden: [Float], pooled: [Float], normalized: [Float]
    }
    let batches: [Batch]
    let upstream: [Float]
    let gradients: [String: [Float]]
}

private let goldens = try! JSONDecoder().decode(Goldens.self, from: Data(contentsOf: URL(fileURLWithPath: "\(folder)/goldens.json")))

/// The largest difference relative to the largest reference magnitude.
private func relativeError(_ actual: [Float], _ expected: [Float]) -> Float {
    guard actual.count == expected.count else { return .infinity }
    let scale = max(expected.map(abs).max() ?? 1, 1e-6)
    return (zip(actual, expected).map { abs($0 - $1) }.max() ?? 0) / scale
}

@Suite("A BERT-style sentence encoder on the graph equals PyTorch")
struct SentenceEncoderTests {
    private func feeds(_ batch: Goldens.Batch) -> [Tensor] {
        let shape = [batch.ids.count, batch.ids[0].count]
        return [Tensor(shape: shape, integers: batch.ids.flatMap { $0 }), Tensor(shape: shape, integers: batch.mask.flatMap { $0 })]
    }

    @Test("the last hidden state, the masked mean and the normalised embedding within 1e-5 of PyTorch, for two sequence lengths with padding")
    func forwardEqualsPyTorch() throws {
        let encoder = try SentenceEncoder(folder: folder)
        #expect(encoder.pooling == .mean && encoder.normalizes && encoder.configuration.layerCount == 2)
        for batch in goldens.batches {
            let outputs = try encoder.graph.run(feeds(batch))
            #expect(relativeError(outputs[1].scalars, batch.hidden) < 1e-5, "hidden \(relativeError(outputs[1].scalars, batch.hidden))")
            #expect(relativeError(outputs[0].scalars, batch.normalized) < 1e-5, "embedding \(relativeError(outputs[0].scalars, batch.normalized))")
        }
    }

    @Test("the gradients of every kind of weight (embedding rows, positions, attention, feed-forward, LayerNorm) equal PyTorch autograd within 1e-4")
    func gradientsEqualPyTorch() throws {
        let encoder = try SentenceEncoder(folder: folder), graph = encoder.graph, batch = goldens.batches[0]
        let pass = try graph.trainingPass(feeds(batch), scope: TrainingScope(), outputs: [graph.outputs[0]], seed: 1)
        let gradients = graph.backward(pass, outputGradients: [Tensor(shape: [batch.ids.count, encoder.configuration.hiddenSize], elements: goldens.upstream)])
        for (name, expected) in goldens.gradients {
            guard let index = graph.parameters.firstIndex(where: { $0.name == name }), let gradient = gradients[index] else {
                Issue.record("no gradient for \(name)")
                continue
            }
            var actual = gradient.scalars
            if gradient.rank == 2, name.hasPrefix("encoder.") {
                // Dense weights are stored inputs × outputs; PyTorch's are outputs × inputs.
                let (rows, columns) = (gradient.shape[0], gradient.shape[1])
                actual = (0..<(rows * columns)).map { actual[($0 % rows) * columns + $0 / rows] }
            }
            if expected.allSatisfy({ abs($0) < 1e-9 }) {
                // A key's bias shifts every score of a query alike, which the softmax ignores: its gradient is 0.
                #expect(actual.allSatisfy { abs($0) < 1e-6 }, "\(name) should have no gradient")
            } else {
                #expect(relativeError(actual, expected) < 1e-4, "\(name): \(relativeError(actual, expected))")
            }
        }
    }

    @Test("sentences through the folder's own tokenizer: each alone equals it within its batch, and embeddings have length 1")
    func encodesSentences() throws {
        let encoder = try SentenceEncoder(folder: folder)
        let sentences = ["a cat sat.", "the quick brown fox jumps over the lazy dog, twice!", ""]
        let together = try encoder.encode(sentences)
        for (row, sentence) in sentences.enumerated() {
            let alone = try encoder.encode([sentence])
            #expect(relativeError(alone.withUnsafeBufferPointer { Array($0) }, Array(together.withUnsafeBufferPointer { Array($0) }[(row * 32)..<(row * 32 + 32)])) < 1e-5)
            let norm = together.withUnsafeBufferPointer { values in (0..<32).map { values[row * 32 + $0] * values[row * 32 + $0] }.reduce(0, +) }
            #expect(abs(norm - 1) < 1e-4)
        }
    }

    @Test("a damaged or foreign encoder folder is refused naming the file and what is wrong")
    func hostileFolders() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("encoder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        func copy() throws -> URL {
            try? FileManager.default.removeItem(at: scratch)
            try FileManager.default.copyItem(at: URL(fileURLWithPath: folder), to: scratch)
            return scratch
        }
        func refused(saying expected: String, _ damage: (URL) throws -> Void) throws {
            let model = try copy()
            try damage(model)
            #expect {
                _ = try SentenceEncoder(folder: model.path)
            } throws: { error in
                "\(error)".contains(expected)
            }
        }
        func edit(_ file: URL, _ change: (inout [String: Any]) -> Void) throws {
            var object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
            change(&object)
            try JSONSerialization.data(withJSONObject: object).write(to: file)
        }
        try refused(saying: "config.json: cannot be read") { try FileManager.default.removeItem(at: $0.appendingPathComponent("config.json")) }
        try refused(saying: "model_type 'gpt2' is not supported") { try edit($0.appendingPathComponent("config.json")) { $0["model_type"] = "gpt2" } }
        try refused(saying: "hidden_size 32 does not split into 5 heads") { try edit($0.appendingPathComponent("config.json")) { $0["num_attention_heads"] = 5 } }
        try refused(saying: "has no tensor 'encoder.layer.2.attention.self.query.weight'") {
            try edit($0.appendingPathComponent("config.json")) { $0["num_hidden_layers"] = 3 }
        }
        try refused(saying: "tensor 'embeddings.word_embeddings.weight' is [1000, 32], not [1001, 32]") {
            try edit($0.appendingPathComponent("config.json")) { $0["vocab_size"] = 1001 }
        }
        try refused(saying: "pooling [\"pooling_mode_max_tokens\"] is not supported") {
            try edit($0.appendingPathComponent("1_Pooling/config.json")) { $0["pooling_mode_mean_tokens"] = false; $0["pooling_mode_max_tokens"] = true }
        }
        // A weights file cut short: named, with the byte or tensor that does not fit.
        try refused(saying: "model.safetensors") { model in
            let weights = model.appendingPathComponent("model.safetensors")
            let bytes = try Data(contentsOf: weights)
            try bytes.prefix(bytes.count - 100).write(to: weights)
        }
        // A NaN written into a weight (no checksum to catch it): refused at load all the same.
        try refused(saying: "is NaN or infinite") { model in
            let weights = model.appendingPathComponent("model.safetensors")
            var bytes = try Data(contentsOf: weights)
            // The first tensor's first float, just after the 8-byte length and the header.
            let start = 8 + Int(bytes.prefix(8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) })
            bytes.replaceSubrange(start..<(start + 4), with: [0x00, 0x00, 0xC0, 0x7F])
            try bytes.write(to: weights)
        }
    }
}
