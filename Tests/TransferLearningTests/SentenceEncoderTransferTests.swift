import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing
import TextFeatures
import TransferLearning

/// The tiny random BERT of `Fixtures/tiny-bert` (its vocabulary knows `!`; other words are `[UNK]`).
private let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("tiny-bert").path

/// Two classes the tiny encoder can tell apart: mostly `!` or mostly words, 3 to 7 tokens long.
private func corpus(_ count: Int, offset: Int = 0) -> LabeledCorpus {
    LabeledCorpus(documents: (0..<count).map { index in
        let length = 3 + (index + offset) % 5, bangs = index % 2 == 0
        let tokens = (0..<length).map { position in (position == length / 2) != bangs ? "!" : "word" }
        return LabeledDocument(text: tokens.joined(separator: " "), labels: [bangs ? "bang" : "word"], line: index + 1)
    }, path: "synthetic")
}

/// The share of `corpus` the model labels right.
private func accuracy(_ model: TransferModel, _ corpus: LabeledCorpus) throws -> Double {
    let predictions = try model.predict(corpus.documents.map(\.text))
    return Double(zip(predictions, corpus.documents).filter { $0.0.first?.label == $0.1.labels[0] }.count) / Double(corpus.documents.count)
}

/// A scratch folder removed when the test ends.
private func scratchFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("encoder-transfer-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite("The text strategies on a sentence encoder")
struct SentenceEncoderTransferTests {
    private let encoder = try! SentenceEncoder(folder: folder)

    private func probabilities(_ model: TransferModel, _ corpus: LabeledCorpus) throws -> [Float] {
        try model.probabilities(for: corpus.documents.map(\.text)).matrix.withUnsafeBufferPointer { Array($0) }
    }

    @Test("fixed features: logistic regression on the frozen embeddings learns the task; the file stores the classifier alone and reads back exactly")
    func fixedFeatures() throws {
        let model = try TransferModel.train(.fixedFeatures, sentenceEncoder: encoder, on: corpus(60))
        #expect(try accuracy(model, corpus(40, offset: 1)) >= 0.95)
        // Token coverage: the share of pieces not [UNK] (the tiny vocabulary knows `!`, not `word`).
        let shares = corpus(60).documents.map { document in
            let tokens = document.text.split(separator: " ")
            return Double(tokens.filter { $0 == "!" }.count) / Double(tokens.count)
        }
        #expect(abs(model.trainingCoverage - shares.reduce(0, +) / Double(shares.count)) < 1e-12)
        #expect(abs(try model.predictionsAndCoverage(for: ["! ! word", ""]).coverage - 2.0 / 3) < 1e-12)
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("model.ekm").path
        try model.write(to: path)
        let summary = try ModelFileSummary(contentsOf: path)
        #expect(summary.tensorCount == 2, "only the classifier's weight and bias: \(summary.tensorCount) tensors")
        let read = try TransferModel(contentsOf: path)
        #expect(try probabilities(read, corpus(10)) == probabilities(model, corpus(10)))
    }

    @Test("a model trained on texts cut to fewer tokens records the cut and predicts with it after reading back")
    func maximumLength() throws {
        let short = encoder.truncating(to: 4)
        let model = try TransferModel.train(.fixedFeatures, sentenceEncoder: short, on: corpus(30))
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("model.ekm").path
        try model.write(to: path)
        let read = try TransferModel(contentsOf: path)
        #expect(try #require(read.body as? SentenceEncoderClassifier).encoder.maximumLength == 4)
        #expect(try probabilities(read, corpus(10)) == probabilities(model, corpus(10)))
        #expect(try probabilities(read, corpus(10)) != probabilities(TransferModel(strategy: .fixedFeatures, labels: model.labels,
            body: SentenceEncoderClassifier(encoder: encoder, network: try #require(model.body as? SentenceEncoderClassifier).network,
                                            trainedParameters: [])), corpus(10)))
    }

    @Test("fine-tune top 1: the lower layer and the embeddings stay as they were, the top layer and the new output train; read back exactly")
    func fineTuneTopLayer() throws {
        var fineTuning = FineTuning()
        fineTuning.encoderLayers = .top(1)
        var settings = TrainingSettings.forSentenceEncoder(.fineTune(fineTuning), documentCount: 60)
        (settings.epochs, settings.learningRate, settings.batchSize) = (8, 3e-2, 8)
        let model = try TransferModel.train(.fineTune(fineTuning), sentenceEncoder: encoder, on: corpus(60), settings: settings)
        #expect(try accuracy(model, corpus(40, offset: 1)) >= 0.95)
        let body = try #require(model.body as? SentenceEncoderClassifier)
        let pretrained = Dictionary(uniqueKeysWithValues: encoder.graph.parameters.map { ($0.name, $0.value) })
        for parameter in body.network.parameters {
            guard let before = pretrained[parameter.name], parameter.value.elementType == .float32 else { continue }
            let changed = parameter.value.scalars != before.scalars
            #expect(changed == parameter.name.hasPrefix("encoder.layer.1."), "\(parameter.name) changed: \(changed)")
            #expect(body.trainedParameters.contains(parameter.name) == parameter.name.hasPrefix("encoder.layer.1."))
        }
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let path = scratch.appendingPathComponent("model.ekm").path
        try model.write(to: path)
        #expect(try probabilities(TransferModel(contentsOf: path), corpus(10)) == probabilities(model, corpus(10)))
    }

    @Test("fine-tune all with layer-wise decay and combine both learn the task")
    func fineTuneAllAndCombine() throws {
        var fineTuning = FineTuning()
        fineTuning.layerRateDecay = 0.8
        var settings = TrainingSettings.forSentenceEncoder(.fineTune(fineTuning), documentCount: 60)
        (settings.epochs, settings.learningRate, settings.batchSize) = (8, 3e-2, 8)
        let tuned = try TransferModel.train(.fineTune(fineTuning), sentenceEncoder: encoder, on: corpus(60), settings: settings)
        #expect(try accuracy(tuned, corpus(40, offset: 1)) >= 0.95)
        let body = try #require(tuned.body as? SentenceEncoderClassifier)
        #expect(body.trainedParameters.contains("embeddings.word_embeddings.weight"))

        var combination = Combination()
        combination.hiddenLayers = [16]
        let combined = try TransferModel.train(.combine(combination), sentenceEncoder: encoder, on: corpus(60), validation: corpus(20, offset: 2))
        #expect(try accuracy(combined, corpus(40, offset: 1)) >= 0.95)
        let head = try #require(combined.body as? SentenceEncoderClassifier).trainedParameters
        #expect(head.allSatisfy { $0.hasPrefix("head.") }, "\(head.sorted())")
    }

    @Test("a model whose encoder changed, moved away or is named by --embeddings elsewhere: refused naming the file, or found")
    func encoderReference() throws {
        let scratch = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("encoder")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: folder), to: copy)
        let model = try TransferModel.train(.fixedFeatures, sentenceEncoder: try SentenceEncoder(folder: copy.path), on: corpus(30))
        let path = scratch.appendingPathComponent("model.ekm").path
        try model.write(to: path)

        // Moved: found again through the path given.
        let moved = scratch.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: copy, to: moved)
        #expect { _ = try TransferModel(contentsOf: path) } throws: { "\($0)".contains("sentence encoder") && "\($0)".contains("is missing") }
        #expect(try probabilities(TransferModel(contentsOf: path, embeddingsPath: moved.path), corpus(5)) == probabilities(model, corpus(5)))

        // One weight changed: the fingerprint tells.
        let weights = moved.appendingPathComponent("model.safetensors")
        var bytes = try Data(contentsOf: weights)
        bytes[bytes.count - 1] ^= 1
        try bytes.write(to: weights)
        #expect { _ = try TransferModel(contentsOf: path, embeddingsPath: moved.path) } throws: {
            "\($0)".contains("model.safetensors") && "\($0)".contains("not the one the model was trained with")
        }
    }

    @Test("documents with several labels, one class, or top N beyond the encoder's layers are refused clearly")
    func refusals() throws {
        var documents = corpus(10).documents
        documents[3].labels = ["bang", "word"]
        #expect { _ = try TransferModel.train(.fixedFeatures, sentenceEncoder: encoder, on: LabeledCorpus(documents: documents, path: "x")) } throws: {
            "\($0)".contains("several labels (line 4)")
        }
        let one = LabeledCorpus(documents: corpus(10).documents.filter { $0.labels == ["bang"] }, path: "x")
        #expect(throws: TrainingError.self) { _ = try TransferModel.train(.fixedFeatures, sentenceEncoder: encoder, on: one) }
        var fineTuning = FineTuning()
        fineTuning.encoderLayers = .top(3)
        #expect { _ = try TransferModel.train(.fineTune(fineTuning), sentenceEncoder: encoder, on: corpus(10)) } throws: {
            "\($0)".contains("2 transformer layers; top 3 is not 1 to 2")
        }
    }
}
