import LinearAlgebra

/// How a graph trains on mini-batches: epochs and batch size, the optimizer and its schedule,
/// gradient clipping, early stopping and threads.
public struct TrainingSettings: Sendable, Hashable, Codable {
    /// Passes over the data at most.
    public var epochs = 30
    /// Examples per step.
    public var batchSize = 64
    /// The base learning rate.
    public var learningRate: Float = 1e-3
    /// The update rule.
    public var optimizer = OptimizerSettings(.adam)
    /// How the rate changes over the planned steps.
    public var schedule = LearningRateSchedule.constant
    /// The largest global L2 norm of a step's gradients (larger ones are scaled down), or nil.
    public var gradientClipNorm: Float?
    /// With validation data: epochs without a better validation loss before stopping (the best
    /// epoch's parameters are kept).
    public var patience = 4
    /// The smallest improvement of the watched loss that counts for early stopping.
    public var tolerance = 1e-4
    /// Threads for each operation's batch work.
    public var threadCount = Parallelism.available.threadCount

    /// Adam at 1e-3, batches of 64, at most 30 epochs, patience 4.
    public init() {}
}
