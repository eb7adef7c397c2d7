import Foundation
import LinearAlgebra
import NeuralNetworks

/// A feed-forward network: fully connected ReLU hidden layers with optional dropout, a softmax
/// output, trained with Adam on shuffled mini-batches and L2 weight decay, like scikit-learn's
/// `MLPClassifier(solver="adam")`.
public struct MultilayerPerceptron: Classifier, Codable {
    /// Training settings.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Hidden layer sizes, input side first.
        public var hiddenLayers: [Int] = [256]
        /// Adam's step size.
        public var learningRate: Float = 1e-3
        /// L2 penalty (scikit-learn's `alpha`).
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

    /// One (weights, bias) per layer; weights are outputs × inputs.
    public private(set) var layers: [DenseLayer]
    /// The settings it was trained with.
    public let configuration: Configuration
    /// Adam's state after the last `partialFit` (not stored in model files).
    public private(set) var optimizer: AdamOptimizer?

    private enum CodingKeys: String, CodingKey { case layers, configuration }

    /// A network with these layers (input side first, ReLU between them, softmax after the last).
    /// - Precondition: at least one layer, and the layers chain.
    public init(layers: [DenseLayer], configuration: Configuration = Configuration()) {
        precondition(!layers.isEmpty && zip(layers, layers.dropFirst()).allSatisfy { $0.weights.rows == $1.weights.columns },
                     "MultilayerPerceptron: the layers do not chain")
        self.layers = layers
        self.configuration = configuration
    }

    /// The number of classes.
    public var classCount: Int { layers.last!.weights.rows }
    /// The length of an input feature vector.
    public var featureCount: Int { layers.first!.weights.columns }

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
            DenseLayer(weights: Matrix(rows: sizes[index], columns: sizes[index - 1], initializer: .glorotUniform,
                                       using: &generator),
                       bias: [Float](repeating: 0, count: sizes[index]))
        }
        var model = MultilayerPerceptron(layers: layers, configuration: configuration)
        try model.partialFit(on: data, validation: validation, epochs: configuration.epochs, using: &generator,
                             progress: progress)
        return model
    }

    /// Continues training from the current weights for at most `epochs` epochs (incremental
    /// training), with the optimizer state of the previous call (Adam's moments and step count
    /// carry over; a decoded model starts them afresh); with validation data the best weights
    /// seen are kept.
    public mutating func partialFit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet? = nil, epochs: Int, using generator: inout G,
        progress: TrainingProgress? = nil
    ) throws {
        precondition(data.features.columns == featureCount && data.classCount == classCount,
                     "partialFit: data of \(data.features.columns) features and \(data.classCount) classes")
        var optimizer = self.optimizer ?? AdamOptimizer(layers: layers, learningRate: configuration.learningRate)
        let weights = configuration.classWeighting.exampleWeights(labels: data.labels, classCount: data.classCount)
        var order = Array(0..<data.labels.count)
        // A concrete generator seeded from the caller's: a generic one shuffles many times slower
        // when the caller sits in another module (the generic code is not specialised there).
        var random = SplitMix64(seed: generator.next())
        var workspaces: [Int: [BackpropWorkspace]] = [:]
        var best = layers
        let loop = TrainingLoop(epochs: max(1, epochs), patience: configuration.patience, tolerance: Double(configuration.tolerance))
        _ = try WorkerTeam.with(threadCount: min(2, Parallelism.available.threadCount)) { team in
            try loop.run(progress: progress, epoch: { epoch in
                order.shuffle(using: &random)
                // Rows copied into the epoch's order once, so every mini-batch is a contiguous block.
                let shuffled = data.subset(order), shuffledWeights = order.map { weights[$0] }
                var epochLoss = 0.0
                for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
                    let batch = start..<min(start + configuration.batchSize, order.count)
                    let (loss, gradients) = backpropagateInHalves(shuffled, batch, weights: shuffledWeights, team: team,
                                                                  using: &random, workspaces: &workspaces)
                    guard loss.isFinite else { throw TrainingError.diverged(step: epoch) }
                    epochLoss += loss * Double(batch.count)
                    optimizer.update(&layers, with: gradients)
                }
                // The L2 term, once per epoch with the weights at its end (scikit-learn adds it per batch).
                return epochLoss / Double(order.count)
                    + Double(configuration.l2) / 2 * layers.reduce(0) { $0 + $1.squaredWeightNorm }
                    / Double(min(configuration.batchSize, order.count))
            }, validate: {
                validation.map { ValidationScore(loss: loss(on: $0), accuracy: accuracy(on: $0)) }
            }, keepBest: {
                if validation != nil { best = layers }
            })
        }
        if validation != nil { layers = best }
        self.optimizer = optimizer
    }

    /// Edits the layers in place (for tests and tools that inspect the network).
    mutating func adjust(_ body: (inout [DenseLayer]) -> Void) {
        body(&layers)
    }

    /// Class probabilities for each row of `features` (no dropout).
    public func probabilities(for features: Matrix) -> Matrix {
        var activation = features
        for (index, layer) in layers.enumerated() {
            activation = layer.forward(activation)
            if index < layers.count - 1 { DenseLayer.relu(&activation) }
        }
        activation.withUnsafeMutableBufferPointer { values in
            for row in 0..<features.rows {
                Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * classCount)..<((row + 1) * classCount)]))
            }
        }
        return activation
    }

    /// The mean cross-entropy (without the penalty) on `data`.
    func loss(on data: TrainingSet) -> Double {
        var probabilities = probabilities(for: data.features)
        var loss = 0.0
        probabilities.withUnsafeMutableBufferPointer { values in
            for (row, label) in data.labels.enumerated() { loss -= Double(log(max(values[row * classCount + label], 1e-12))) }
        }
        return loss / Double(data.labels.count)
    }

    func accuracy(on data: TrainingSet) -> Double {
        let probabilities = probabilities(for: data.features)
        var correct = 0
        probabilities.withUnsafeBufferPointer { values in
            for (row, label) in data.labels.enumerated() {
                let scores = UnsafeBufferPointer(rebasing: values[(row * classCount)..<((row + 1) * classCount)])
                if Kernels.argmax(scores) == label { correct += 1 }
            }
        }
        return Double(correct) / Double(data.labels.count)
    }

    /// The loss and gradients of the mini-batch `batch` (rows of `data`), its two halves computed
    /// on the team's threads and the gradients added in a fixed order, so the result does not
    /// depend on the thread count. Each half draws its dropout from a generator seeded from
    /// `generator`.
    private func backpropagateInHalves(
        _ data: TrainingSet, _ batch: Range<Int>, weights: [Float], team: WorkerTeam, using generator: inout SplitMix64,
        workspaces: inout [Int: [BackpropWorkspace]]
    ) -> (loss: Double, gradients: [DenseLayer]) {
        let middle = batch.lowerBound + batch.count / 2
        let halves = batch.count >= 64 ? [batch.lowerBound..<middle, middle..<batch.upperBound] : [batch]
        let seeds = halves.map { _ in generator.next() }
        let parts = workspaces[batch.count] ?? halves.map { BackpropWorkspace(layers: layers, rows: $0.count) }
        workspaces[batch.count] = parts
        var results = [(loss: Double, gradients: [DenseLayer])?](repeating: nil, count: halves.count)
        let model = self, shared = SharedWorkspaces(parts: parts)
        results.withUnsafeMutableBufferPointer { results in
            let slots = SharedPointer(base: results.baseAddress!)
            team.forEachPart(halves.count) { part in
                var partGenerator = SplitMix64(seed: seeds[part])
                slots.base[part] = model.backpropagate(data.subset(halves[part]), weights: Array(weights[halves[part]]),
                                                       using: &partGenerator, workspace: shared.parts[part],
                                                       batchSize: batch.count, includesWeightDecay: part == 0)
            }
        }
        let finished = results.map { $0! }
        var gradients = finished[0].gradients
        for other in finished.dropFirst() {
            for index in gradients.indices {
                other.gradients[index].weights.withUnsafeBufferPointer { source in
                    gradients[index].weights.withUnsafeMutableBufferPointer { Kernels.add(source, to: $0) }
                }
                for column in gradients[index].bias.indices { gradients[index].bias[column] += other.gradients[index].bias[column] }
            }
        }
        return (finished.reduce(0) { $0 + $1.loss }, gradients)
    }

    /// The batch's mean cross-entropy and each layer's gradients (including the L2 term),
    /// computed in `workspace` (made for this batch size when not given); the gradients returned
    /// share its buffers until the next call.
    /// `batchSize` is the size of the whole mini-batch when `batch` is a part of it (the loss and
    /// gradients are then that part's share), and only the part with `includesWeightDecay` adds the L2 term.
    func backpropagate<G: RandomNumberGenerator>(
        _ batch: TrainingSet, weights: [Float], using generator: inout G, workspace given: BackpropWorkspace? = nil,
        batchSize: Int? = nil, includesWeightDecay: Bool = true
    ) -> (loss: Double, gradients: [DenseLayer]) {
        let workspace = given ?? BackpropWorkspace(layers: layers, rows: batch.labels.count)
        precondition(workspace.rows == batch.labels.count, "backpropagate: workspace for \(workspace.rows) rows, batch of \(batch.labels.count)")
        let size = Float(batchSize ?? batch.labels.count)
        for (index, layer) in layers.enumerated() {
            layer.forward(index == 0 ? batch.features : workspace.outputs[index - 1], into: &workspace.outputs[index])
            if index < layers.count - 1 {
                DenseLayer.relu(&workspace.outputs[index])
                if configuration.dropout > 0 {
                    DenseLayer.dropout(&workspace.outputs[index], rate: configuration.dropout, mask: &workspace.masks[index],
                                       using: &generator)
                }
            }
        }
        let last = layers.count - 1
        let loss = SoftmaxLoss.apply(&workspace.outputs[last], labels: batch.labels[...], weights: weights[...]) / Double(size)
        SoftmaxLoss.gradient(&workspace.outputs[last], labels: batch.labels[...], weights: weights[...], scale: 1 / size)
        for index in layers.indices.reversed() {
            let delta = index == last ? workspace.outputs[last] : workspace.upstream[index + 1]
            let input = index == 0 ? batch.features : workspace.outputs[index - 1]
            workspace.gradients[index].weights.multiplyAdd(delta, input, transposeA: .transposed)
            delta.columnSums(into: &workspace.gradients[index].bias)
            if includesWeightDecay { workspace.gradients[index].addWeightDecay(layers[index], strength: configuration.l2 / size) }
            if index > 0 {
                workspace.upstream[index].multiplyAdd(delta, layers[index].weights)
                DenseLayer.reluGradient(&workspace.upstream[index], activation: input,
                                        mask: configuration.dropout > 0 ? workspace.masks[index - 1] : nil)
            }
        }
        return (loss, workspace.gradients)
    }
}

/// The workspaces of a mini-batch's parts, handed to the threads that compute them.
///
/// `@unchecked Sendable` is safe because each thread uses only the workspace of its own part.
struct SharedWorkspaces: @unchecked Sendable {
    let parts: [BackpropWorkspace]
}

/// Buffers one training run reuses for every mini-batch of one size: layer outputs, dropout
/// masks, backpropagated deltas and gradients (allocating them per batch cost more than the maths).
final class BackpropWorkspace {
    let rows: Int
    /// Per layer: rows × outputs (activations after ReLU and dropout; the last holds the deltas).
    var outputs: [Matrix]
    /// Per hidden layer: the dropout factors.
    var masks: [Matrix]
    /// Per layer above the first: the delta flowing into its input (rows × inputs).
    var upstream: [Matrix]
    /// Per layer: the gradient of the loss with respect to its weights and bias.
    var gradients: [DenseLayer]

    init(layers: [DenseLayer], rows: Int) {
        self.rows = rows
        outputs = layers.map { Matrix(rows: rows, columns: $0.weights.rows) }
        masks = outputs
        upstream = layers.map { Matrix(rows: rows, columns: $0.weights.columns) }
        gradients = layers.map { DenseLayer(weights: Matrix(rows: $0.weights.rows, columns: $0.weights.columns),
                                            bias: [Float](repeating: 0, count: $0.bias.count)) }
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
