/// How an `EmbeddingBagClassifier` is trained: stochastic gradient descent one example at a time
/// (as fastText does), with per-group learning rates.
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

    /// fastText's supervised settings, but 10 epochs, a learning rate of 0.2 and one thread.
    public init() {}
}
