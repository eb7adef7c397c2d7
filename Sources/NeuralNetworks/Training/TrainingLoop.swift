/// Called after each epoch (or L-BFGS iteration) with its number, the training loss and the
/// validation accuracy (nil without validation data).
public typealias TrainingProgress = (_ step: Int, _ loss: Double, _ validationAccuracy: Double?) -> Void

/// What one epoch of validation measured.
public struct ValidationScore: Sendable, Hashable {
    /// The mean cross-entropy on the validation data.
    public var loss: Double
    /// The share of validation examples classified right.
    public var accuracy: Double

    /// A score.
    public init(loss: Double, accuracy: Double) {
        self.loss = loss
        self.accuracy = accuracy
    }
}

/// The epoch loop every trained network shares: run epochs, report progress, watch a score (the
/// validation loss when there is validation data, else the training loss) and stop after
/// `patience` epochs without an improvement of more than `tolerance`.
public struct TrainingLoop: Sendable {
    /// Passes over the data at most.
    public var epochs: Int
    /// Epochs without improvement before stopping.
    public var patience: Int
    /// The smallest improvement that counts.
    public var tolerance: Double

    /// A loop of at most `epochs` epochs.
    /// - Precondition: `epochs` and `patience` are at least 1.
    public init(epochs: Int, patience: Int, tolerance: Double = 1e-4) {
        precondition(epochs >= 1 && patience >= 1, "TrainingLoop: epochs \(epochs), patience \(patience)")
        self.epochs = epochs
        self.patience = patience
        self.tolerance = tolerance
    }

    /// What a run did.
    public struct Outcome: Sendable, Hashable {
        /// Epochs run.
        public var epochsRun: Int
        /// The epoch with the best watched score.
        public var bestEpoch: Int

        /// An outcome.
        public init(epochsRun: Int, bestEpoch: Int) {
            self.epochsRun = epochsRun
            self.bestEpoch = bestEpoch
        }
    }

    /// Runs the loop.
    /// - Parameters:
    ///   - progress: called after each epoch with its number, training loss and validation accuracy.
    ///   - epoch: trains one epoch (numbered from 1) and returns its mean training loss.
    ///   - validate: scores the current parameters on validation data (nil without any).
    ///   - keepBest: called whenever the watched score improves, to snapshot the parameters.
    /// - Throws: `TrainingError.diverged` when a loss is not finite, or what `epoch` throws.
    @discardableResult
    public func run(progress: TrainingProgress?, epoch: (Int) throws -> Double, validate: () -> ValidationScore?,
                    keepBest: () -> Void) throws -> Outcome {
        var best = Double.infinity, bestEpoch = 0, sinceBest = 0, run = 0
        for number in 1...epochs {
            let loss = try epoch(number)
            run = number
            guard loss.isFinite else { throw TrainingError.diverged(step: number) }
            let score = validate()
            progress?(number, loss, score?.accuracy)
            let watched = score?.loss ?? loss
            if watched < best - tolerance {
                best = watched
                bestEpoch = number
                sinceBest = 0
                keepBest()
            } else {
                sinceBest += 1
                if sinceBest >= patience { break }
            }
        }
        return Outcome(epochsRun: run, bestEpoch: bestEpoch)
    }
}

/// Why training stopped without a usable model.
public enum TrainingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The loss became NaN or infinite (learning rate too high, or bad features) at this epoch or iteration.
    case diverged(step: Int)
    /// The labels and features disagree, or a label is out of range.
    case invalidData(String)

    /// A readable reason.
    public var description: String {
        switch self {
        case .diverged(let step): "training diverged (the loss became NaN or infinite) at step \(step)"
        case .invalidData(let reason): "invalid training data: \(reason)"
        }
    }
}
