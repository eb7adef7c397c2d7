import Dispatch
import Foundation
import LinearAlgebra

extension Graph {
    /// Trains the graph as a classifier: its first output is taken as class scores (N × classes)
    /// under `loss`. Every epoch visits the examples in a new seeded order, in mini-batches that
    /// are prepared on another thread while the previous one trains; each step runs the training
    /// pass of `scope`, backpropagates, clips the gradients when asked, and updates the trained
    /// weights at the scheduled rate times their multiplier. With validation data the parameters
    /// of the epoch with the lowest validation loss are kept, and training stops after
    /// `settings.patience` epochs without improvement.
    /// - Parameters:
    ///   - examples: the training examples.
    ///   - validation: examples scored after every epoch.
    ///   - loss: softmax or one-vs-all.
    ///   - scope: which nodes train and how batch normalisation behaves.
    ///   - rateMultipliers: a learning-rate factor per parameter index (1 when absent), e.g. a
    ///     smaller one for pre-trained layers or a layer-wise decay.
    ///   - settings: epochs, batch size, optimizer, schedule, clipping, patience, threads.
    ///   - optimizer: the optimizer state to continue from (its settings replace `settings.optimizer`);
    ///     it holds the state after training.
    ///   - seed: drives the example order, the batches' augmentation and dropout.
    ///   - progress: after each epoch, its number, the mean training loss and the validation accuracy.
    ///   - stepProgress: after each step, the steps done and planned in the whole run.
    /// - Returns: what the loop did (epochs run, best epoch).
    /// - Throws: `TrainingError.diverged` when the loss is not finite, `GraphError` for a node
    ///   that cannot train, and what making a batch throws.
    @discardableResult
    public mutating func train(on examples: some TrainingBatches, validation: (any TrainingBatches)? = nil, loss: OutputLoss = .softmax,
                               scope: TrainingScope = TrainingScope(), rateMultipliers: [Int: Float] = [:], settings: TrainingSettings,
                               optimizer: inout Optimizer, seed: UInt64, progress: TrainingProgress? = nil,
                               stepProgress: (@Sendable (Int, Int) -> Void)? = nil) throws -> TrainingLoop.Outcome {
        guard examples.count > 0 else { throw TrainingError.invalidData("no training examples") }
        let parallelism = Parallelism(threadCount: max(1, settings.threadCount))
        var random = SplitMix64(seed: seed)
        var order = Array(0..<examples.count), best: [Parameter]?
        let batchSize = max(1, settings.batchSize)
        // Batch statistics need two examples: a last batch of one is left out (unless it is all there is).
        let stepsPerEpoch = examples.count / batchSize + (examples.count % batchSize > 1 || examples.count < batchSize ? 1 : 0)
        let totalSteps = stepsPerEpoch * settings.epochs
        var step = 0
        let loop = TrainingLoop(epochs: settings.epochs, patience: validation == nil ? settings.epochs : settings.patience,
                                tolerance: settings.tolerance)
        let outcome = try loop.run(progress: progress, epoch: { _ in
            order.shuffle(using: &random)
            let batches = examples.batches(of: order, batchSize: batchSize).filter { $0.count > 1 || order.count == 1 }
            let seeds = batches.map { _ in random.next() }
            var total = 0.0, seen = 0
            var pending = BatchPrefetch { try examples.batch(batches[0], seed: seeds[0]) }
            for index in batches.indices {
                let batch = try pending.value()
                if index + 1 < batches.count { pending = BatchPrefetch { try examples.batch(batches[index + 1], seed: seeds[index + 1]) } }
                let pass = try trainingPass(batch.inputs, scope: scope, seed: random.next(), parallelism: parallelism)
                let (batchLoss, gradient) = loss.batchLossAndGradient(logits: pass.outputs[0], labels: batch.labels, weights: batch.weights)
                guard batchLoss.isFinite else { throw TrainingError.diverged(step: step + 1) }
                var gradients = backward(pass, outputGradients: [gradient])
                applyStatistics(of: pass)
                if let limit = settings.gradientClipNorm { Self.clip(&gradients, to: limit) }
                let rate = settings.schedule.rate(base: settings.learningRate, done: step, total: totalSteps)
                optimizer.update(&self, gradients: gradients, rate: rate, multipliers: rateMultipliers)
                step += 1
                total += batchLoss * Double(batch.labels.count)
                seen += batch.labels.count
                stepProgress?(step, totalSteps)
            }
            return total / Double(max(1, seen))
        }, validate: {
            guard let validation else { return nil }
            return try? score(on: validation, loss: loss, batchSize: batchSize, parallelism: parallelism)
        }, keepBest: {
            if validation != nil { best = parameters }
        })
        if let best { parameters = best }
        return outcome
    }

    /// `train(on:validation:loss:scope:rateMultipliers:settings:optimizer:seed:progress:stepProgress:)`
    /// with a fresh optimizer of `settings.optimizer`.
    /// - Throws: as that method.
    @discardableResult
    public mutating func train(on examples: some TrainingBatches, validation: (any TrainingBatches)? = nil, loss: OutputLoss = .softmax,
                               scope: TrainingScope = TrainingScope(), rateMultipliers: [Int: Float] = [:], settings: TrainingSettings,
                               seed: UInt64, progress: TrainingProgress? = nil,
                               stepProgress: (@Sendable (Int, Int) -> Void)? = nil) throws -> TrainingLoop.Outcome {
        var optimizer = Optimizer(settings.optimizer)
        return try train(on: examples, validation: validation, loss: loss, scope: scope, rateMultipliers: rateMultipliers, settings: settings,
                         optimizer: &optimizer, seed: seed, progress: progress, stepProgress: stepProgress)
    }

    /// The mean loss and the accuracy of the first output as class scores on `examples`
    /// (inference mode, in batches of `batchSize`).
    /// - Throws: `GraphError` or what making a batch throws.
    public func score(on examples: any TrainingBatches, loss: OutputLoss = .softmax, batchSize: Int = 64,
                      parallelism: Parallelism = .available) throws -> ValidationScore {
        var total = 0.0, correct = 0
        for start in stride(from: 0, to: examples.count, by: max(1, batchSize)) {
            let batch = try examples.batch(Array(start..<min(examples.count, start + max(1, batchSize))), seed: 0)
            var scores = try run(batch.inputs, parallelism: parallelism)[0]
            let classes = scores.shape[1]
            scores.withUnsafeMutableBufferPointer { values in
                for (row, label) in batch.labels.enumerated() {
                    let probabilities = UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])
                    loss.probabilities(probabilities)
                    total += loss.loss(UnsafeBufferPointer(probabilities), classes: [label])
                    if Kernels.argmax(UnsafeBufferPointer(probabilities)) == label { correct += 1 }
                }
            }
        }
        let count = Double(max(1, examples.count))
        return ValidationScore(loss: total / count, accuracy: Double(correct) / count)
    }

    /// Scales every gradient by one factor so that their global L2 norm is at most `limit`.
    static func clip(_ gradients: inout [Int: Tensor], to limit: Float) {
        let squares = gradients.values.reduce(0.0) { sum, gradient in
            sum + gradient.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
        }
        let norm = Float(squares.squareRoot())
        guard norm > limit, norm.isFinite else { return }
        for key in gradients.keys { gradients[key]!.withUnsafeMutableBufferPointer { Kernels.scale($0, by: limit / norm) } }
    }
}

/// A batch being made on another thread while the previous one trains.
///
/// `@unchecked Sendable`: `result` is written once by the worker before `ready` is signalled and
/// read only after waiting for it.
private final class BatchPrefetch: @unchecked Sendable {
    private var result: Result<TrainingBatch, any Error>?
    private let ready = DispatchSemaphore(value: 0)

    init(_ make: @escaping @Sendable () throws -> TrainingBatch) {
        DispatchQueue.global().async {
            self.result = Result(catching: make)
            self.ready.signal()
        }
    }

    /// The batch, once made.
    func value() throws -> TrainingBatch {
        ready.wait()
        return try result!.get()
    }
}
