import Classifiers
import EmbeddingStore
import Foundation
import LinearAlgebra
import Testing
import TextFeatures
import TransferLearning

@Suite("TransferModel trains fixed features, predicts, and round-trips through its file")
struct TransferModelTests {
    static let embeddings = WordEmbeddings(
        words: ["great", "good", "fine", "bad", "awful", "dull", "film", "plot"],
        vectors: [[1, 0.1], [0.9, 0], [0.8, 0.2], [0, 1], [0.1, 0.9], [0.2, 0.8], [0.5, 0.5], [0.4, 0.6]], dimensions: 2)

    static let corpus = LabeledCorpus(documents: [
        LabeledDocument(text: "great film", labels: ["pos"], line: 1), LabeledDocument(text: "good plot", labels: ["pos"], line: 2),
        LabeledDocument(text: "fine film", labels: ["pos"], line: 3), LabeledDocument(text: "bad film", labels: ["neg"], line: 4),
        LabeledDocument(text: "awful plot", labels: ["neg"], line: 5), LabeledDocument(text: "dull film", labels: ["neg"], line: 6),
    ])

    func scratch(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("transfer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    @Test("both heads learn the toy sentiment task", arguments: [false, true])
    func trainAndPredict(useNetwork: Bool) throws {
        var network = MultilayerPerceptronSettings()
        network.hiddenLayers = [8]
        network.epochs = 300
        network.learningRate = 0.05
        let head: ClassifierHead = useNetwork ? .multilayerPerceptron(network) : .logisticRegression()
        let model = try TransferModel.train(featurizer: DocumentFeaturizer(embeddings: Self.embeddings), head: head, on: Self.corpus)
        #expect(model.trainingCoverage == 1 && model.labels == ["neg", "pos"])
        #expect(try model.predict("a great film").first?.label == "pos")
        #expect(try model.predict("an awful, dull plot").first?.label == "neg")
        #expect(try model.predict("good", k: 2).count == 2)
        #expect(try model.predict("good", k: 2, threshold: 0.99).count <= 1)
    }

    @Test("a saved model predicts the same; a changed or missing embedding file is refused")
    func persistence() throws {
        let vectorsPath = try scratch("vectors.ekv")
        try VectorFileWriter.write(Self.embeddings, to: vectorsPath, as: .native)
        let vectors = try WordEmbeddings(contentsOf: vectorsPath)
        let featurizer = DocumentFeaturizer(embeddings: vectors, settings: FeaturizerSettings(weighting: .tfidf))
        let model = try TransferModel.train(featurizer: featurizer, head: .logisticRegression(), on: Self.corpus)
        let modelPath = try scratch("model.ekm")
        try model.write(to: modelPath)
        let reloaded = try TransferModel(contentsOf: modelPath)
        #expect(try reloaded.predict("fine plot", k: 2) == model.predict("fine plot", k: 2))

        let embeddedPath = try scratch("embedded.ekm")
        try model.write(to: embeddedPath, embeddings: .selfContained)
        try FileManager.default.removeItem(atPath: vectorsPath)
        #expect(throws: ModelFileError.self) { try TransferModel(contentsOf: modelPath) }
        let standalone = try TransferModel(contentsOf: embeddedPath)
        #expect(try standalone.predict("great film").first?.label == model.predict("great film").first?.label)

        try VectorFileWriter.write(WordEmbeddings(words: ["other"], vectors: [[1, 1]], dimensions: 2), to: vectorsPath, as: .native)
        #expect(throws: ModelFileError.self) { try TransferModel(contentsOf: modelPath) }
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: embeddedPath))
        #expect(throws: ModelFileError.self) { try TransferModel(contentsOf: embeddedPath) }
    }

    @Test("multi-label data trains one-vs-all: logistic regressions, or sigmoid outputs for fine-tune and combine; the MLP head refuses it")
    func multiLabel() throws {
        let documents = Self.corpus.documents.map { document in
            LabeledDocument(text: document.text, labels: document.labels + (document.text.contains("film") ? ["movie"] : []),
                            line: document.line)
        }
        let corpus = LabeledCorpus(documents: documents)
        let model = try TransferModel.train(featurizer: DocumentFeaturizer(embeddings: Self.embeddings),
                                            head: .logisticRegression(), on: corpus)
        guard let pooled = model.body as? PooledFeaturesModel, case .oneVersusAll = pooled.head else {
            Issue.record("expected a one-vs-all head")
            return
        }
        #expect(model.labels == ["movie", "neg", "pos"])
        let predictions = try model.predict("great film", k: 3)
        #expect(predictions.count == 3 && predictions.allSatisfy { $0.probability >= 0 && $0.probability <= 1 })
        #expect(throws: TransferError.multiLabel(line: 1)) {
            try TransferModel.train(featurizer: DocumentFeaturizer(embeddings: Self.embeddings), head: .multilayerPerceptron(), on: corpus)
        }
        let repeated = LabeledCorpus(documents: Array(repeating: documents, count: 40).flatMap { $0 })
        for strategy in [TransferStrategy.fineTune(), .combine()] {
            let bag = try TransferModel.train(strategy, featurizer: DocumentFeaturizer(embeddings: Self.embeddings), on: repeated)
            guard let network = bag.body as? TextBagModel else { Issue.record("expected an embedding bag"); continue }
            #expect(network.loss == .oneVersusAll)
            // Both labels of a text apply, each with its own sigmoid: the probabilities need not sum to 1.
            let labels = Dictionary(uniqueKeysWithValues: try bag.predict("great film", k: 3).map { ($0.label, $0.probability) })
            #expect(labels["pos"]! > 0.5 && labels["movie"]! > 0.5 && labels["neg"]! < 0.5, "\(strategy.kind): \(labels)")
            #expect(try bag.evaluate(on: corpus).accuracy > 0.9)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("ova-\(UUID().uuidString).ekm").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            try bag.write(to: path, embeddings: .selfContained)
            let texts = corpus.documents.map(\.text)
            #expect(try TransferModel(contentsOf: path).probabilities(for: texts).matrix == bag.probabilities(for: texts).matrix)
        }
    }
}
