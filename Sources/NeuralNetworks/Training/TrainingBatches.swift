import LinearAlgebra

/// One mini-batch: the graph's input tensors and the class of each example.
public struct TrainingBatch: Sendable {
    /// One tensor per graph input, the examples along dimension 0.
    public var inputs: [Tensor]
    /// Each example's class.
    public var labels: [Int]
    /// Each example's weight in the loss (nil: 1 each).
    public var weights: [Float]?

    /// A batch.
    public init(inputs: [Tensor], labels: [Int], weights: [Float]? = nil) {
        self.inputs = inputs
        self.labels = labels
        self.weights = weights
    }
}

/// Labelled examples a graph trains on, made into batches on demand (decoded, augmented) so
/// that a data set need not sit in memory as tensors. A batch may be prepared on another thread
/// while the previous one trains.
public protocol TrainingBatches: Sendable {
    /// The number of examples.
    var count: Int { get }
    /// The examples at `indices`, in that order; `seed` drives any augmentation.
    /// - Throws: what reading or decoding an example throws.
    func batch(_ indices: [Int], seed: UInt64) throws -> TrainingBatch

    /// An epoch's mini-batches from the examples in shuffled `order`: consecutive runs of
    /// `batchSize` by default. Every batch but the last holds `batchSize` examples.
    func batches(of order: [Int], batchSize: Int) -> [[Int]]
}

extension TrainingBatches {
    public func batches(of order: [Int], batchSize: Int) -> [[Int]] {
        stride(from: 0, to: order.count, by: batchSize).map { Array(order[$0..<min(order.count, $0 + batchSize)]) }
    }
}

/// Examples held as one tensor per graph input (the examples along dimension 0), with classes.
public struct TensorBatches: TrainingBatches {
    /// The examples.
    public let tensors: [Tensor]
    /// Each example's class.
    public let labels: [Int]
    /// Each example's weight in the loss (nil: 1 each).
    public let weights: [Float]?

    /// Examples from tensors that share dimension 0.
    /// - Precondition: every tensor has one row per label.
    public init(_ tensors: [Tensor], labels: [Int], weights: [Float]? = nil) {
        precondition(tensors.allSatisfy { $0.rank >= 1 && $0.shape[0] == labels.count } && (weights?.count ?? labels.count) == labels.count,
                     "TensorBatches: tensors, labels and weights disagree")
        self.tensors = tensors
        self.labels = labels
        self.weights = weights
    }

    /// The number of examples.
    public var count: Int { labels.count }

    /// The rows at `indices`.
    public func batch(_ indices: [Int], seed: UInt64) -> TrainingBatch {
        TrainingBatch(inputs: tensors.map { $0.rows(indices) }, labels: indices.map { labels[$0] }, weights: weights.map { w in indices.map { w[$0] } })
    }
}

extension Tensor {
    /// The rows (slices along dimension 0) at `indices`, in that order.
    /// - Precondition: a float tensor of rank ≥ 1, every index a row.
    public func rows(_ indices: [Int]) -> Tensor {
        let width = shape[0] == 0 ? 0 : count / shape[0]
        return Tensor(shape: [indices.count] + shape.dropFirst()) { target in
            withUnsafeBufferPointer { source in
                for (row, index) in indices.enumerated() {
                    precondition(index >= 0 && index < shape[0], "Tensor.rows: row \(index) of \(shape[0])")
                    (target.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
                }
            }
        }
    }
}
