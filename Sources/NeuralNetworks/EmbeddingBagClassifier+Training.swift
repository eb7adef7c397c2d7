import Foundation
import LinearAlgebra

extension EmbeddingBagClassifier {
    /// Trains the network on `examples` by per-example SGD: the dense layers always, the base rows
    /// when the bag's base is trainable, the added rows always. Each epoch reads `examples` chunk by
    /// chunk and visits each chunk's examples in a new random order, so memory holds one chunk.
    /// With `validation`, the parameters of the epoch with the lowest validation loss are kept and
    /// training stops after `settings.patience` epochs without improvement.
    /// - Parameters:
    ///   - examples: the training examples, read chunk by chunk every epoch.
    ///   - validation: examples scored after every epoch.
    ///   - settings: epochs, learning rates and schedule, optimizer, token dropout, threads, patience.
    ///   - seed: drives the example order and token dropout.
    ///   - progress: epoch, mean training loss, validation accuracy.
    /// - Returns: what the loop did (epochs run, best epoch).
    /// - Throws: `TrainingError.diverged` when the loss is not finite, and what reading a chunk throws.
    /// - Complexity: O(epochs × total ids × (dimensions + layer parameters)).
    @discardableResult
    public mutating func train(on examples: some BagExampleSource, validation: BagExamples? = nil,
                               settings: SGDSettings = SGDSettings(), seed: UInt64,
                               progress: TrainingProgress? = nil) throws -> TrainingLoop.Outcome {
        precondition(examples.classCount == classCount, "train: \(examples.classCount) classes for a \(classCount)-class network")
        guard examples.count > 0 else { throw TrainingError.invalidData("no training examples") }
        var random = SplitMix64(seed: seed)
        // Reused from chunk to chunk: reshuffling the last order gives a uniform order too.
        var order: [Int] = []
        let loop = TrainingLoop(epochs: settings.epochs, patience: validation == nil ? settings.epochs : settings.patience)
        var best: EmbeddingBagClassifier?, scored: EmbeddingBagClassifier?
        let total = settings.epochs * examples.count
        let workspaces = (0..<max(1, settings.threadCount)).map { _ in SGDWorkspace(layers: layers, bag: bag) }
        let outcome = try withTrainingParameters(optimizer: settings.optimizer) { parameters in
            try loop.run(progress: progress, epoch: { epoch in
                var done = (epoch - 1) * examples.count, loss = 0.0
                try examples.forEachChunk { chunk in
                    if order.count != chunk.count { order = Array(0..<chunk.count) }
                    order.shuffle(using: &random)
                    let threads = max(1, min(settings.threadCount, chunk.count))
                    let seeds = (0..<threads).map { _ in random.next() }
                    loss += Self.trainChunk(chunk, order: order, parameters: parameters, settings: settings, done: done, total: total,
                                            seeds: seeds, workspaces: workspaces)
                    done += chunk.count
                }
                return loss / Double(examples.count)
            }, validate: {
                guard let validation else { return nil }
                scored = parameters.currentNetwork()
                return scored!.score(on: validation)
            }, keepBest: {
                // Only validation picks an earlier epoch; without it the last parameters are kept.
                best = scored
            })
        }
        if let best { self = best }
        return outcome
    }

    /// One SGD step per example of `chunk` in `order`, spread over one thread per seed (each
    /// taking a contiguous part of `order`); returns the summed loss. `done` examples came before
    /// the chunk, of `total` in the whole training, for the learning-rate schedule.
    private static func trainChunk(_ chunk: BagExamples, order: [Int], parameters: SGDParameters, settings: SGDSettings,
                                   done: Int, total: Int, seeds: [UInt64], workspaces: [SGDWorkspace]) -> Double {
        let threads = seeds.count
        var losses = [Double](repeating: 0, count: threads)
        losses.withUnsafeMutableBufferPointer { losses in
            let lossSlots = SharedPointer(base: losses.baseAddress!)
            let work = { @Sendable (part: Int) in
                let range = Parallelism.rangeOfChunk(part, chunkCount: threads, count: order.count)
                var generator = SplitMix64(seed: seeds[part])
                var loss = 0.0
                for (position, example) in order[range].enumerated() {
                    let update = done + position * threads
                    let rate = settings.schedule.rate(base: settings.learningRate, done: update, total: total)
                    loss += chunk.withIDs(of: example) { ids in
                        chunk.withOtherClasses(of: example) { others in
                            parameters.step(ids, label: chunk.labels[example], others: others, update: update + 1, rate: rate,
                                            embeddingMultiplier: settings.embeddingRateMultiplier,
                                            dropout: settings.tokenDropout, workspace: workspaces[part], using: &generator)
                        }
                    }
                }
                lossSlots.base[part] = loss
            }
            if threads == 1 {
                work(0)
            } else {
                DispatchQueue.concurrentPerform(iterations: threads, execute: work)
            }
        }
        return losses.reduce(0, +)
    }

    /// Runs `body` with a copy of the trainable parameters in stable storage that the training
    /// threads update in place, then keeps what that copy holds.
    private mutating func withTrainingParameters<R>(optimizer: BagOptimizer, _ body: (SGDParameters) throws -> R) rethrows -> R {
        let parameters = SGDParameters(self, optimizer: optimizer)
        // The buffers hold the trainable rows now; dropping these keeps one copy of them in memory.
        bag.added = TrainableRows(values: Matrix(rows: 0, columns: bag.dimensions))
        if bag.trainsBase { bag.base = .trainable(TrainableRows(values: Matrix(rows: 0, columns: bag.dimensions))) }
        let result = try body(parameters)
        self = parameters.currentNetwork()
        return result
    }
}
