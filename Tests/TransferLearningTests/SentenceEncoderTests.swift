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
}
