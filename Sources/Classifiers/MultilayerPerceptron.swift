import Foundation
import LinearAlgebra
import NeuralNetworks

/// A feed-forward network: fully connected ReLU hidden layers with optional dropout, a softmax
/// output, trained with Adam on shuffled mini-batches and L2 weight decay, like scikit-learn's
/// `MLPClassifier(solver="adam")`. The network is a `Graph` (`Gemm`, `Relu`, `Dropout` nodes).
public struct MultilayerPerceptron: Classifier, Codable {
    /// Training settings.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Hidden layer sizes, input side first.
        public var hiddenLayers: [Int] = [256]
        /// Adam's step size.
        public var learningRate: Float = 1e-3
        /// L2 penalty (scikit-learn's `alpha`): `alpha / batch size · W` is added to the weights'
        /// gradients, as scikit-learn adds it.
        public var l2: Float = 1e-4
        /// Examples per mini-batch.
        public var batchSize = 200
        /// Passes over the training data at most.
        public var epochs = 200
        /// The share of hidden activations dropped while training.
        public var dropout: Float = 0
        /// How classes are weighted in the loss.
        public var classWeighting: ClassWeighting = .uniform
        /// Stop after this many epochs without improvement (of the validation loss when there is
        /// validation data, else of the training loss by more than `tolerance`).
        public var patience = 10
        /// The smallest improvement that counts.
        public var tolerance: Float = 1e-4

        /// The defaults: one hidden layer of 256, Adam 1e-3, L2 1e-4, batches of 200, 200 epochs.
        public init() {}
    }

    /// The network: features (N × inputs) to class scores (N × classes).
    public private(set) var network: Graph
    /// The settings it was trained with.
    public let configuration: Configuration
    /// Adam's state after the last `partialFit` (not stored in model files).
    public private(set) var optimizer: Optimizer?

    /// A network with these layers (input side first, ReLU and the configured dropout between
    /// them, class scores out of the last).
    /// - Precondition: at least one layer, and the layers chain.
    public init(layers: [DenseLayer], configuration: Configuration = Configuration()) {
        precondition(!layers.isEmpty && zip(layers, layers.dropFirst()).allSatisfy { $0.weights.rows == $1.weights.columns },
                     "MultilayerPerceptron: the layers do not chain")
        var builder = GraphBuilder(inputs: [Graph.Input(name: "features", shape: [nil, layers[0].weights.columns])])
        var value = Graph.Value.input(0)
        for (index, layer) in layers.enumerated() {
            value = builder.dense(value, weights: Tensor(layer.weights), bias: Tensor(shape: [layer.bias.count], elements: layer.bias),
                                  name: "dense\(index + 1)")
            guard index < layers.count - 1 else { continue }
            value = builder.node(Relu(), [value], name: "relu\(index + 1)")
            if configuration.dropout > 0 { value = builder.node(Dropout(ratio: configuration.dropout), [value], name: "dropout\(index + 1)") }
        }
        guard let network = try? builder.graph(outputs: [value]) else { preconditionFailure("MultilayerPerceptron: the layers were checked") }
        self.network = network
        self.configuration = configuration
    }

    /// The dense layers, input side first (copies of the graph's weights).
    public var layers: [DenseLayer] {
        network.nodes.compactMap { node -> DenseLayer? in
            guard node.operation is Gemm, case .parameter(let w) = node.inputs[1], case .parameter(let b) = node.inputs[2] else { return nil }
            return DenseLayer(weights: network.parameters[w].value.matrix, bias: network.parameters[b].value.scalars)
        }
    }

    /// The number of classes.
    public var classCount: Int { network.nodeShapes.last![1] }
    /// The length of an input feature vector.
    public var featureCount: Int { network.inputs[0].shape[1]! }

    private enum CodingKeys: String, CodingKey { case layers, configuration }

    /// Reads the layers and settings (the format of every EmbeddingKit version).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let layers = try container.decode([DenseLayer].self, forKey: .layers)
        guard !layers.isEmpty, layers.allSatisfy({ $0.weights.rows == $0.bias.count }),
              zip(layers, layers.dropFirst()).allSatisfy({ $0.weights.rows == $1.weights.columns }) else {
            throw DecodingError.dataCorruptedError(forKey: .layers, in: container, debugDescription: "the layers do not chain")
        }
        self.init(layers: layers, configuration: try container.decode(Configuration.self, forKey: .configuration))
    }

    /// Writes the layers and settings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(layers, forKey: .layers)
        try container.encode(configuration, forKey: .configuration)
    }

    /// Trains on `data` with the seeded `generator` (initial weights, shuffling, dropout).
    /// - Parameters:
    ///   - data: the features and classes to learn.
    ///   - validation: features and classes whose loss is watched for early stopping.
    ///   - configuration: the hidden layers, epochs, learning rate, dropout, patience and class weights.
    ///   - generator: seeds the initial weights, the example order and dropout.
    ///   - progress: called after each epoch with its number, the training loss and the validation
    ///     accuracy (nil without validation data).
    /// - Throws: `TrainingError.diverged` when the loss is not finite.
    public static func train<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet? = nil, configuration: Configuration = Configuration(),
        using generator: inout G, progress: TrainingProgress? = nil
    ) throws -> MultilayerPerceptron {
        let sizes = [data.features.columns] + configuration.hiddenLayers + [data.classCount]
        let layers = (1..<sizes.count).map { index in
            DenseLayer(weights: Matrix(rows: sizes[index], columns: sizes[index - 1], initializer: .glorotUniform, using: &generator),
                       bias: [Float](repeating: 0, count: sizes[index]))
        }
        var model = MultilayerPerceptron(layers: layers, configuration: configuration)
        try model.partialFit(on: data, validation: validation, epochs: configuration.epochs, using: &generator, progress: progress)
        return model
    }

    /// Continues training from the current weights for at most `epochs` epochs (incremental
    /// training), with the optimizer state of the previous call (Adam's moments and step count
    /// carry over; a decoded model starts them afresh); with validation data the best weights
    /// seen are kept.
    /// - Throws: `TrainingError.diverged` when the loss is not finite.
    public mutating func partialFit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet? = nil, epochs: Int, using generator: inout G,
        progress: TrainingProgress? = nil
    ) throws {
        precondition(data.features.columns == featureCount && data.classCount == classCount,
                     "partialFit: data of \(data.features.columns) features and \(data.classCount) classes")
        var settings = TrainingSettings()
        settings.epochs = max(1, epochs)
        settings.batchSize = configuration.batchSize
        settings.learningRate = configuration.learningRate
        settings.optimizer.weightDecay = configuration.l2 / Float(max(1, min(configuration.batchSize, data.labels.count)))
        settings.patience = configuration.patience
        settings.tolerance = Double(configuration.tolerance)
        settings.threadCount = min(2, Parallelism.available.threadCount)
        var optimizer = self.optimizer ?? Optimizer(settings.optimizer)
        let weights = configuration.classWeighting.exampleWeights(labels: data.labels, classCount: data.classCount)
        let examples = TensorBatches([Tensor(data.features)], labels: data.labels, weights: configuration.classWeighting == .uniform ? nil : weights)
        let held = validation.map { TensorBatches([Tensor($0.features)], labels: $0.labels) }
        try network.train(on: examples, validation: held, settings: settings, optimizer: &optimizer, seed: generator.next(), progress: progress)
        self.optimizer = optimizer
    }

    /// Class probabilities for each row of `features` (no dropout).
    public func probabilities(for features: Matrix) -> Matrix {
        guard features.rows > 0 else { return Matrix(rows: 0, columns: classCount) }
        guard var scores = try? network.run([Tensor(features)])[0].matrix else {
            preconditionFailure("MultilayerPerceptron: features of \(features.columns) columns for \(featureCount)")
        }
        let classes = classCount
        scores.withUnsafeMutableBufferPointer { values in
            for row in 0..<features.rows { Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])) }
        }
        return scores
    }
}

extension MultilayerPerceptron: TrainableClassifier {
    /// `train(on:validation:configuration:using:progress:)`.
    public static func fit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet?, configuration: Configuration, using generator: inout G,
        progress: TrainingProgress?
    ) throws -> MultilayerPerceptron {
        try train(on: data, validation: validation, configuration: configuration, using: &generator, progress: progress)
    }

    /// `partialFit(on:validation:epochs:using:progress:)` with `steps` epochs.
    public mutating func partialFit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet?, steps: Int, using generator: inout G, progress: TrainingProgress?
    ) throws {
        try partialFit(on: data, validation: validation, epochs: steps, using: &generator, progress: progress)
    }
}
