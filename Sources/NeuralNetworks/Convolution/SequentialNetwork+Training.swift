import Foundation
import LinearAlgebra

/// How a `SequentialNetwork` trains: mini-batch Adam on softmax cross-entropy.
public struct MiniBatchSettings: Sendable, Hashable {
    /// Passes over the data at most.
    public var epochs = 30
    /// Examples per step.
    public var batchSize = 64
    /// Adam's learning rate.
    public var learningRate: Float = 1e-3
    /// With validation data: epochs without a better validation loss before stopping (the best
    /// epoch's parameters are kept).
    public var patience = 4
    /// A learning-rate factor per layer (nil: 1 for all), e.g. smaller for pre-trained layers.
    public var rateMultipliers: [Float]?
    /// Threads for each layer's batch work.
    public var threadCount = Parallelism.available.threadCount

    /// The defaults.
    public init() {}
}

extension SequentialNetwork {
    /// Trains every layer on `count` examples whose class indices are `labels`, drawing each
    /// mini-batch's inputs from `inputs` (which may augment them with the generator it is given).
    /// The network's output is taken as class scores (softmax cross-entropy).
    /// - Parameters:
    ///   - count: the number of training examples.
    ///   - labels: the class index of each example.
    ///   - inputs: the inputs of the examples at the given indices (the generator is for augmentation).
    ///   - settings: batch size, epochs, learning rates, patience and threads.
    ///   - validation: inputs and classes scored after every epoch for early stopping.
    ///   - seed: drives the example order, dropout and `inputs`' generator.
    ///   - progress: epoch, mean training loss, validation accuracy.
    /// - Throws: `TrainingError.diverged` when the loss is not finite, `.invalidData` for labels
    ///   outside the output's classes.
    @discardableResult
    public mutating func train(count: Int, labels: [Int], inputs: (ArraySlice<Int>, inout SplitMix64) -> FeatureMaps,
                               validation: (inputs: FeatureMaps, labels: [Int])? = nil, settings: MiniBatchSettings = MiniBatchSettings(),
                               seed: UInt64, progress: TrainingProgress? = nil) throws -> TrainingLoop.Outcome {
        let classCount = outputShape.count
        guard count > 0, labels.count == count else { throw TrainingError.invalidData("\(labels.count) labels for \(count) examples") }
        guard labels.allSatisfy({ $0 >= 0 && $0 < classCount }) else {
            throw TrainingError.invalidData("a label outside the network's \(classCount) classes")
        }
        precondition(settings.rateMultipliers == nil || settings.rateMultipliers!.count == layers.count, "train: one rate multiplier per layer")
        let parallelism = Parallelism(threadCount: max(1, settings.threadCount))
        var random = SplitMix64(seed: seed)
        var optimizer = AdamOptimizer(layers: layers, learningRate: settings.learningRate)
        var order = Array(0..<count), best: SequentialNetwork?
        let loop = TrainingLoop(epochs: settings.epochs, patience: validation == nil ? settings.epochs : settings.patience)
        return try loop.run(progress: progress, epoch: { _ in
            order.shuffle(using: &random)
            var total = 0.0, seen = 0
            for start in stride(from: 0, to: count, by: settings.batchSize) {
                let batch = order[start..<min(count, start + settings.batchSize)]
                // Batch statistics need two examples; a last batch of one is left for the next epoch.
                guard batch.count > 1 || count == 1 else { continue }
                let input = inputs(batch, &random)
                let (output, traces) = trainingForward(input, using: &random, parallelism: parallelism)
                var scores = output.values
                let batchLabels = batch.map { labels[$0] }
                let weights = [Float](repeating: 1, count: batch.count)
                total += SoftmaxLoss.apply(&scores, labels: batchLabels[...], weights: weights[...])
                seen += batch.count
                SoftmaxLoss.gradient(&scores, labels: batchLabels[...], weights: weights[...], scale: 1 / Float(batch.count))
                let (gradients, _) = backward(traces, outputGradient: FeatureMaps(values: scores, shape: outputShape), parallelism: parallelism)
                optimizer.update(&layers, with: gradients, rateMultipliers: settings.rateMultipliers)
            }
            return total / Double(max(1, seen))
        }, validate: {
            validation.map { score($0.inputs, labels: $0.labels, parallelism: parallelism) }
        }, keepBest: {
            if validation != nil { best = self }
        }).also { _ in if let best { self = best } }
    }

    /// Class probabilities (softmax of the output) for every example, in chunks of 256.
    public func probabilities(_ inputs: FeatureMaps, parallelism: Parallelism = .available) -> Matrix {
        var result = Matrix(rows: inputs.batch, columns: outputShape.count)
        let width = inputs.shape.count
        for start in stride(from: 0, to: inputs.batch, by: 256) {
            let rows = min(256, inputs.batch - start)
            let chunk = inputs.values.withUnsafeBufferPointer {
                Matrix(rows: rows, columns: width, elements: Array($0[(start * width)..<((start + rows) * width)]))
            }
            var scores = forward(FeatureMaps(values: chunk, shape: inputs.shape), parallelism: parallelism).values
            scores.withUnsafeMutableBufferPointer { values in
                for row in 0..<rows {
                    Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * outputShape.count)..<((row + 1) * outputShape.count)]))
                }
                result.withUnsafeMutableBufferPointer { target in
                    _ = UnsafeMutableBufferPointer(rebasing: target[(start * outputShape.count)...]).update(fromContentsOf: values)
                }
            }
        }
        return result
    }

    /// The mean cross-entropy and accuracy on `inputs` with classes `labels`.
    public func score(_ inputs: FeatureMaps, labels: [Int], parallelism: Parallelism = .available) -> ValidationScore {
        let probabilities = probabilities(inputs, parallelism: parallelism)
        var loss = 0.0, correct = 0
        for (row, label) in labels.enumerated() {
            probabilities.withRow(row) { values in
                loss -= Double(log(max(values[label], 1e-12)))
                if Kernels.argmax(values) == label { correct += 1 }
            }
        }
        return ValidationScore(loss: loss / Double(max(1, labels.count)), accuracy: Double(correct) / Double(max(1, labels.count)))
    }
}

extension TrainingLoop.Outcome {
    /// Runs `body` with the outcome and returns it (for a last step after the loop).
    func also(_ body: (Self) -> Void) -> Self {
        body(self)
        return self
    }
}
