import Foundation
import Testing

import EmbeddingKit

/// The getting-started examples of the DocC catalogs (Sources/*/*.docc/GettingStarted.md),
/// compiled here through the umbrella module; the test checks that each article shows exactly
/// these lines (imports aside). Compiled, not run: they read files a test does not have.
enum DocCExamples {
    static func classifiers() throws {
        // DocC: Classifiers

        let features = Matrix(rows: 4, columns: 2, elements: [0, 0, 0, 1, 1, 0, 1, 1])
        let data = try TrainingSet(features: features, labels: [0, 0, 1, 1], classCount: 2)
        let model = try LogisticRegression.train(on: data)
        let probabilities = model.probabilities(for: features)
        // DocC: end
    }

    static func embeddingStore() throws {
        // DocC: EmbeddingStore

        let glove = try WordEmbeddings(contentsOf: "Embeddings/glove.6B.50d.20k.txt.gz")
        let king = glove["king"]                                   // [Float]?, nil for an unknown word
        let neighbours = glove.nearestNeighbors(of: "king", k: 5)  // best first, the word left out
        let queen = glove.mostSimilar(positive: ["woman", "king"], negative: ["man"], k: 1)
        try VectorFileWriter.write(glove, to: "glove.ekv", as: .native)  // opens in milliseconds, mapped
        // DocC: end
    }

    static func imageFeatures() throws {
        // DocC: ImageFeatures

        let (images, skipped) = try ImageSet.read("photos/")    // one subfolder per label
        // DocC: end
    }

    static func linearAlgebra() throws {
        // DocC: LinearAlgebra

        let a = Matrix(rows: 2, columns: 3, elements: [1, 2, 3, 4, 5, 6])
        let row = a.row(0)
        var generator = SplitMix64(seed: 7)
        let random = Matrix(rows: 3, columns: 3, initializer: .glorotUniform, using: &generator)
        // DocC: end
    }

    static func neuralNetworks() throws {
        // DocC: NeuralNetworks

        var builder = GraphBuilder(inputs: [Graph.Input(name: "features", shape: [nil, 4])])
        var generator = SplitMix64(seed: 1)
        let dense = builder.dense(.input(0), inputs: 4, outputs: 8, initializer: .heNormal, name: "dense1", using: &generator)
        let hidden = builder.node(Relu(), [dense], name: "relu")
        let scores = builder.dense(hidden, inputs: 8, outputs: 2, initializer: .glorotUniform, name: "dense2", using: &generator)
        var network = try builder.graph(outputs: [scores])
        let examples = TensorBatches([Tensor(shape: [2, 4], elements: [1, 0, 0, 1, 0, 1, 1, 0])], labels: [0, 1])
        try network.train(on: examples, settings: TrainingSettings(), seed: 1)    // Adam, mini-batches, early stopping
        let probabilities = try network.run([Tensor(shape: [1, 4], elements: [1, 0, 0, 1])])[0]
        // DocC: end
    }

    static func oNNXExport() throws {
        // DocC: ONNXExport

        let model = try TransferModel(contentsOf: "model.ekm")
        try model.writeONNX(to: "model.onnx")
        // DocC: end
    }

    static func oNNXImport() throws {
        // DocC: ONNXImport

        let model = try ONNXModel(contentsOf: "mobilenetv2.onnx")
        print(model.graph.nodes.count, model.parameterCount)
        // DocC: end
    }

    static func plots() throws {
        // DocC: Plots

        let plot = ConfusionMatrixPlot(labels: ["neg", "pos"], counts: [[40, 10], [5, 45]], title: "accuracy 0.85")
        try plot.svg.write(toFile: "confusion.svg", atomically: true, encoding: .utf8)
        // DocC: end
    }

    static func textFeatures() throws {
        // DocC: TextFeatures

        let glove = try WordEmbeddings(contentsOf: "Embeddings/glove.6B.50d.20k.txt.gz")
        let corpus = try LabeledCorpus(contentsOf: "Corpora/rotten-tomatoes/train.txt")
        let featurizer = DocumentFeaturizer(embeddings: glove, tokenizer: UnicodeTokenizer())
        let (features, coverage) = try featurizer.featureMatrix(for: corpus.documents.map(\.text))
        // DocC: end
    }

    static func transferLearning() throws {
        // DocC: TransferLearning

        let glove = try WordEmbeddings(contentsOf: "Embeddings/glove.6B.50d.20k.txt.gz")
        let featurizer = DocumentFeaturizer(embeddings: glove, tokenizer: UnicodeTokenizer())
        let train = try LabeledCorpus(contentsOf: "Corpora/rotten-tomatoes/train.txt")
        let model = try TransferModel.train(.fineTune(), featurizer: featurizer, on: train)
        let report = try model.evaluate(on: try LabeledCorpus(contentsOf: "Corpora/rotten-tomatoes/test.txt"))
        try model.write(to: "model.ekm")
        // DocC: end
    }
}

@Suite("DocC getting-started examples compile")
struct DocCExampleTests {
    @Test("each catalog's example is the compiled one", arguments: ["Classifiers", "EmbeddingStore", "ImageFeatures", "LinearAlgebra", "NeuralNetworks", "ONNXExport", "ONNXImport", "Plots", "TextFeatures", "TransferLearning"])
    func articleShowsCompiledExample(target: String) throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let source = try String(contentsOf: URL(fileURLWithPath: #filePath), encoding: .utf8).components(separatedBy: "\n")
        let start = try #require(source.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "// DocC: \(target)" })
        let end = try #require(source[start...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == "// DocC: end" })
        let compiled = source[(start + 1)..<end].map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : $0 }
        let article = try String(contentsOf: repository.appendingPathComponent("Sources/\(target)/\(target).docc/GettingStarted.md"),
                                 encoding: .utf8)
        let block = try #require(article.components(separatedBy: "```swift\n").last?.components(separatedBy: "```").first)
        let shown = block.components(separatedBy: "\n").dropLast().filter { !$0.hasPrefix("import ") }
        #expect(Array(shown) == compiled)
    }
}
