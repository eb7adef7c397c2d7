import Foundation
import LinearAlgebra

extension Graph {
    /// Trains a bag classifier (see `BagClassifier`) on `examples` by its sparse path: one
    /// example at a time by SGD or lazy Adam, updating only the rows an example uses, on
    /// `settings.threadCount` threads without locks (fastText's way): the dense layers always,
    /// the pre-trained rows when they are a parameter, the added rows always. Each epoch reads
    /// `examples` chunk by chunk and visits each chunk's examples in a new random order, so memory
    /// holds one chunk. With `validation`, the parameters of the epoch with the lowest validation
    /// loss are kept and training stops after `settings.patience` epochs without improvement.
    /// Afterwards the added rows no example reached are zeros.
    /// - Parameters:
    ///   - examples: the training examples, read chunk by chunk every epoch.
    ///   - validation: examples scored after every epoch.
    ///   - loss: softmax (one class per example) or one sigmoid per class.
    ///   - settings: epochs, learning rates and schedule, optimizer, token dropout, threads, patience.
    ///   - seed: drives the example order and token dropout.
    ///   - progress: epoch, mean training loss, validation accuracy.
    /// - Returns: what the loop did (epochs run, best epoch).
    /// - Throws: `GraphError` when the graph is not a bag classifier, `TrainingError.diverged`
    ///   when the loss is not finite, and what reading a chunk throws.
    /// - Complexity: O(epochs × total ids × (dimensions + layer parameters)).
    @discardableResult
    public mutating func trainBagClassifier(on examples: some BagExampleSource, validation: BagExamples? = nil, loss: OutputLoss = .softmax,
                                            settings: SGDSettings = SGDSettings(), seed: UInt64,
                                            progress: TrainingProgress? = nil) throws -> TrainingLoop.Outcome {
        let parts = try BagClassifier(self)
        precondition(examples.classCount == parameters[parts.layers.last!.bias].value.count, "trainBagClassifier: \(examples.classCount) classes")
        guard examples.count > 0 else { throw TrainingError.invalidData("no training examples") }
        var random = SplitMix64(seed: seed)
        // Reused from chunk to chunk: reshuffling the last order gives a uniform order too.
        var order: [Int] = []
        let loop = TrainingLoop(epochs: settings.epochs, patience: validation == nil ? settings.epochs : settings.patience)
        var best: Graph?, scored: Graph?
        let total = settings.epochs * examples.count
        let trainer = BagTrainingParameters(self, parts: parts, loss: loss, optimizer: settings.optimizer)
        let dimensions = parameters[parts.addedTable].value.shape[1]
        let workspaces = (0..<max(1, settings.threadCount)).map { _ in
            BagTrainingWorkspace(layerOutputs: parts.layers.map { parameters[$0.bias].value.count }, dimensions: dimensions, pooling: parts.bag.pooling)
        }
        // The trainer's buffers hold the trainable rows now; the graph keeps none while it trains.
        for table in [parts.baseTable, parts.addedTable].compactMap({ $0 }) { parameters[table].value = Tensor(zeros: [0, dimensions]) }
        let original = self
        let outcome: TrainingLoop.Outcome
        do {
            outcome = try loop.run(progress: progress, epoch: { epoch in
                var done = (epoch - 1) * examples.count, loss = 0.0
                try examples.forEachChunk { chunk in
                    if order.count != chunk.count { order = Array(0..<chunk.count) }
                    order.shuffle(using: &random)
                    let threads = max(1, min(settings.threadCount, chunk.count))
                    let seeds = (0..<threads).map { _ in random.next() }
                    loss += Self.trainChunk(chunk, order: order, parameters: trainer, settings: settings, done: done, total: total,
                                            seeds: seeds, workspaces: workspaces)
                    done += chunk.count
                }
                return loss / Double(examples.count)
            }, validate: {
                guard let validation else { return nil }
                var current = original
                trainer.write(into: &current, parts: parts, zeroingUntouchedAddedRows: false)
                scored = current
                return try? current.scoreBags(validation, loss: loss)
            }, keepBest: {
                // Only validation picks an earlier epoch; without it the last parameters are kept.
                best = scored
            })
        } catch {
            trainer.write(into: &self, parts: parts, zeroingUntouchedAddedRows: false)
            throw error
        }
        if let best {
            self = best
            trainer.zeroUntouchedAddedRows(in: &self, parts: parts)
        } else {
            trainer.write(into: &self, parts: parts, zeroingUntouchedAddedRows: true)
        }
        return outcome
    }

    /// One SGD step per example of `chunk` in `order`, spread over one thread per seed (each
    /// taking a contiguous part of `order`); returns the summed loss. `done` examples came before
    /// the chunk, of `total` in the whole training, for the learning-rate schedule.
    private static func trainChunk(_ chunk: BagExamples, order: [Int], parameters: BagTrainingParameters, settings: SGDSettings,
                                   done: Int, total: Int, seeds: [UInt64], workspaces: [BagTrainingWorkspace]) -> Double {
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
}
