import Classifiers
import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing

/// Three Gaussian blobs in 4 dimensions, well separated.
func blobs(perClass: Int, seed: UInt64) -> TrainingSet {
    var generator = SplitMix64(seed: seed)
    var values: [Float] = [], labels: [Int] = []
    for label in 0..<3 {
        for _ in 0..<perClass {
            for dimension in 0..<4 { values.append(generator.nextNormal(mean: dimension == label ? 3 : 0, standardDeviation: 0.7)) }
            labels.append(label)
        }
    }
    return try! TrainingSet(features: Matrix(rows: 3 * perClass, columns: 4, elements: values), labels: labels, classCount: 3)
}

func accuracy(_ classifier: any Classifier, on data: TrainingSet) -> Double {
    let probabilities = classifier.probabilities(for: data.features)
    let correct = data.labels.indices.filter { row in probabilities.withRow(row) { Kernels.argmax($0) } == data.labels[row] }
    return Double(correct.count) / Double(data.labels.count)
}

@Suite("Classifiers learn, stop early, stay deterministic and refuse bad data")
struct TrainingTests {
    @Test("logistic regression separates blobs and its probabilities sum to 1")
    func logistic() throws {
        let model = try LogisticRegression.train(on: blobs(perClass: 60, seed: 1))
        #expect(accuracy(model, on: blobs(perClass: 40, seed: 2)) > 0.95)
        let sums = model.probabilities(for: blobs(perClass: 2, seed: 3).features)
        #expect((0..<6).allSatisfy { row in abs(sums.withRow(row) { $0.reduce(0, +) } - 1) < 1e-5 })
    }

    @Test("partialFit continues from the current weights")
    func partialFit() throws {
        var configuration = LogisticRegression.Configuration()
        configuration.maxIterations = 1
        var model = try LogisticRegression.train(on: blobs(perClass: 60, seed: 1), configuration: configuration)
        let before = accuracy(model, on: blobs(perClass: 40, seed: 2))
        try model.partialFit(on: blobs(perClass: 60, seed: 1), iterations: 50)
        #expect(accuracy(model, on: blobs(perClass: 40, seed: 2)) >= before)
        #expect(accuracy(model, on: blobs(perClass: 40, seed: 2)) > 0.95)
    }

    @Test("the MLP learns blobs; the same seed gives the same model bytes")
    func perceptron() throws {
        var configuration = MultilayerPerceptron.Configuration()
        configuration.hiddenLayers = [16]
        configuration.epochs = 60
        configuration.batchSize = 32
        configuration.learningRate = 0.01
        configuration.dropout = 0.1
        var first = SplitMix64(seed: 42), second = SplitMix64(seed: 42)
        let a = try MultilayerPerceptron.train(on: blobs(perClass: 60, seed: 1), configuration: configuration, using: &first)
        let b = try MultilayerPerceptron.train(on: blobs(perClass: 60, seed: 1), configuration: configuration, using: &second)
        #expect(accuracy(a, on: blobs(perClass: 40, seed: 2)) > 0.95)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(a) == encoder.encode(b))
    }

    @Test("early stopping on validation data ends before the epoch limit")
    func earlyStopping() throws {
        var configuration = MultilayerPerceptron.Configuration()
        configuration.hiddenLayers = [8]
        configuration.epochs = 500
        configuration.batchSize = 16
        configuration.learningRate = 0.01
        configuration.patience = 3
        configuration.tolerance = 1e-3
        var epochs = 0
        var generator = SplitMix64(seed: 1)
        _ = try MultilayerPerceptron.train(on: blobs(perClass: 30, seed: 1), validation: blobs(perClass: 20, seed: 9),
                                           configuration: configuration, using: &generator) { epoch, _, accuracy in
            epochs = epoch
            #expect(accuracy != nil)
        }
        #expect(epochs < 500)
    }

    @Test("a huge learning rate diverges with a typed error")
    func divergence() throws {
        var configuration = MultilayerPerceptron.Configuration()
        configuration.hiddenLayers = [8]
        configuration.learningRate = 1e30
        configuration.epochs = 20
        var generator = SplitMix64(seed: 1)
        #expect(throws: TrainingError.self) {
            _ = try MultilayerPerceptron.train(on: blobs(perClass: 30, seed: 1), configuration: configuration, using: &generator)
        }
    }

    @Test("mismatched counts, out-of-range labels, one class and NaN features are refused")
    func invalidData() {
        let features = Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        #expect(throws: TrainingError.self) { try TrainingSet(features: features, labels: [0], classCount: 2) }
        #expect(throws: TrainingError.self) { try TrainingSet(features: features, labels: [0, 2], classCount: 2) }
        #expect(throws: TrainingError.self) { try TrainingSet(features: features, labels: [0, 0], classCount: 1) }
        #expect(throws: TrainingError.self) {
            try TrainingSet(features: Matrix(rows: 2, columns: 2, elements: [1, .nan, 3, 4]), labels: [0, 1], classCount: 2)
        }
    }
}

@Suite("MultilayerPerceptron.partialFit keeps Adam's state between calls")
struct PartialFitStateTests {
    @Test("each call continues Adam's step count; a decoded model starts afresh")
    func optimizerState() throws {
        var configuration = MultilayerPerceptron.Configuration()
        configuration.hiddenLayers = [4]
        configuration.epochs = 2
        configuration.patience = 10
        configuration.batchSize = 1_000
        var generator = SplitMix64(seed: 1)
        let data = blobs(perClass: 20, seed: 1)
        var model = try MultilayerPerceptron.train(on: data, configuration: configuration, using: &generator)
        #expect(model.optimizer?.step == 2)
        try model.partialFit(on: data, epochs: 3, using: &generator)
        #expect(model.optimizer?.step == 5)
        let decoded = try JSONDecoder().decode(MultilayerPerceptron.self, from: JSONEncoder().encode(model))
        #expect(decoded.optimizer == nil && decoded.layers.map(\.weights) == model.layers.map(\.weights))
    }
}

@Suite("TrainableClassifier: fit and partialFit through the protocol")
struct TrainableClassifierTests {
    /// Trains any trainable classifier one step at a time through the protocol.
    func stepwise<C: TrainableClassifier>(_ type: C.Type, configuration: C.Configuration, steps: Int) throws -> C {
        var generator = SplitMix64(seed: 3)
        var model = try C.fit(on: blobs(perClass: 40, seed: 1), validation: nil, configuration: configuration,
                              using: &generator, progress: nil)
        try model.partialFit(on: blobs(perClass: 40, seed: 1), validation: nil, steps: steps, using: &generator, progress: nil)
        return model
    }

    @Test("both classifiers train generically; logistic regression reports loss and validation accuracy per iteration")
    func generic() throws {
        var logistic = LogisticRegression.Configuration()
        logistic.maxIterations = 5
        #expect(accuracy(try stepwise(LogisticRegression.self, configuration: logistic, steps: 50), on: blobs(perClass: 30, seed: 2)) > 0.95)
        var network = MultilayerPerceptron.Configuration()
        network.hiddenLayers = [8]
        network.epochs = 20
        network.batchSize = 16
        network.learningRate = 0.01
        #expect(accuracy(try stepwise(MultilayerPerceptron.self, configuration: network, steps: 20), on: blobs(perClass: 30, seed: 2)) > 0.9)
        var reports: [(Int, Double, Double?)] = []
        _ = try LogisticRegression.train(on: blobs(perClass: 30, seed: 1), validation: blobs(perClass: 10, seed: 5)) {
            reports.append(($0, $1, $2))
        }
        #expect(!reports.isEmpty && reports.allSatisfy { $0.1.isFinite && $0.2 != nil })
    }
}
