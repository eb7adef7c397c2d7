/// How an `EmbeddingBagClassifier` is trained: one example at a time (as fastText does), by SGD
/// or lazy Adam, with per-group learning rates.
public struct SGDSettings: Sendable, Hashable, Codable {
    /// Passes over the training data at most.
    public var epochs = 10
    /// The step size of the dense layers (fastText's default is 0.1; 0.2 measured better on
    /// every corpus tried: Rotten Tomatoes +0.6 points, convention speeches +0.5 macro-F1).
    public var learningRate: Float = 0.2
    /// The step size of the embedding rows, as a multiple of `learningRate` (fastText: 1).
    public var embeddingRateMultiplier: Float = 1
    /// How the step size changes over training.
    public var schedule: LearningRateSchedule = .linearDecay
    /// The share of a training example's ids left out of its bag at each step (at least one stays).
    public var tokenDropout: Float = 0
    /// Threads that update the shared parameters without locks (fastText's way); 1 gives the same
    /// bytes for the same seed, more threads are faster but not reproducible to the bit.
    public var threadCount = 1
    /// With validation data: stop after this many epochs without a lower validation loss.
    public var patience = 3
    /// Plain SGD steps, or lazy Adam (with its own, smaller learning rate).
    public var optimizer: BagOptimizer = .sgd

    /// fastText's supervised settings, but 10 epochs, a learning rate of 0.2 and one thread.
    public init() {}

    /// Switches to `optimizer` with its default learning rate (scaled as the current rate is
    /// scaled from SGD's 0.2, so combine's smaller rate stays smaller).
    public mutating func use(_ optimizer: BagOptimizer) {
        guard optimizer != self.optimizer else { return }
        learningRate *= optimizer.defaultLearningRate / self.optimizer.defaultLearningRate
        self.optimizer = optimizer
    }

    private enum CodingKeys: String, CodingKey {
        case epochs, learningRate, embeddingRateMultiplier, schedule, tokenDropout, threadCount, patience, optimizer
    }

    /// Reads settings; files written before `optimizer` existed trained by SGD.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        epochs = try values.decode(Int.self, forKey: .epochs)
        learningRate = try values.decode(Float.self, forKey: .learningRate)
        embeddingRateMultiplier = try values.decode(Float.self, forKey: .embeddingRateMultiplier)
        schedule = try values.decode(LearningRateSchedule.self, forKey: .schedule)
        tokenDropout = try values.decode(Float.self, forKey: .tokenDropout)
        threadCount = try values.decode(Int.self, forKey: .threadCount)
        patience = try values.decode(Int.self, forKey: .patience)
        optimizer = try values.decodeIfPresent(BagOptimizer.self, forKey: .optimizer) ?? .sgd
    }
}

/// How a bag network's parameters move after each example.
public enum BagOptimizer: String, Sendable, Hashable, Codable, CaseIterable {
    /// `w −= rate · g` (fastText's way).
    case sgd
    /// Adam (β₁ 0.9, β₂ 0.999, ε 1e-8) kept lazily: a row's moments change only when an example
    /// uses the row, and a dense-layer row's only when its gradient is not zero, so an update costs
    /// what an SGD update costs times a constant, not the size of the vocabulary (TensorFlow's
    /// LazyAdam, PyTorch's SparseAdam). The bias correction follows the global update count.
    case adam

    /// The learning rate of fine-tuning by this optimizer.
    public var defaultLearningRate: Float {
        switch self {
        case .sgd: 0.2
        case .adam: 0.01
        }
    }
}
