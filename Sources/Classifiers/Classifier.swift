import LinearAlgebra
import NeuralNetworks

/// A trained model that maps feature vectors to class probabilities.
public protocol Classifier: Sendable {
    /// The number of classes.
    var classCount: Int { get }
    /// The length of an input feature vector.
    var featureCount: Int { get }
    /// Class probabilities for each row of `features` (rows × `featureCount`), as a rows ×
    /// `classCount` matrix whose rows sum to 1.
    func probabilities(for features: Matrix) -> Matrix
}

/// A classifier that is trained from examples, from scratch (`fit`) or incrementally
/// (`partialFit`), deterministically for a given generator state.
public protocol TrainableClassifier: Classifier {
    /// Its training settings.
    associatedtype Configuration: Sendable

    /// Trains a new model on `data`; with `validation`, stops when it no longer improves and keeps
    /// the best parameters.
    /// - Throws: `TrainingError.diverged` when the loss becomes NaN or infinite.
    static func fit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet?, configuration: Configuration, using generator: inout G,
        progress: TrainingProgress?
    ) throws -> Self

    /// Continues training from the current parameters for at most `steps` more steps.
    /// - Throws: `TrainingError.diverged` when the loss becomes NaN or infinite.
    mutating func partialFit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet?, steps: Int, using generator: inout G, progress: TrainingProgress?
    ) throws
}

/// How much each class counts in the loss.
public enum ClassWeighting: String, Sendable, Hashable, Codable, CaseIterable {
    /// Every example counts once.
    case uniform
    /// Each example weighs `n / (classes × n_class)` (scikit-learn's "balanced").
    case balanced

    /// The weight of each example's class.
    func exampleWeights(labels: [Int], classCount: Int) -> [Float] {
        guard self == .balanced else { return [Float](repeating: 1, count: labels.count) }
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return labels.map { Float(labels.count) / Float(classCount * counts[$0]) }
    }
}

/// Training data: features (one row per example) with their class indices, checked for shape.
public struct TrainingSet: Sendable {
    /// One row per example.
    public let features: Matrix
    /// The class index of each row.
    public let labels: [Int]
    /// The number of classes (labels lie in `0..<classCount`).
    public let classCount: Int

    /// - Throws: `TrainingError.invalidData` when counts differ, a label is out of range, or a
    ///   feature is not finite.
    public init(features: Matrix, labels: [Int], classCount: Int) throws {
        guard features.rows == labels.count else {
            throw TrainingError.invalidData("\(features.rows) feature rows for \(labels.count) labels")
        }
        guard classCount >= 2 else { throw TrainingError.invalidData("at least two classes are needed, got \(classCount)") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classCount }) {
            throw TrainingError.invalidData("label \(bad) outside 0..<\(classCount)")
        }
        guard features.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) else {
            throw TrainingError.invalidData("a feature is NaN or infinite")
        }
        self.features = features
        self.labels = labels
        self.classCount = classCount
    }

    /// Data already known to be valid (a subset of a checked set).
    private init(checkedFeatures features: Matrix, labels: [Int], classCount: Int) {
        self.features = features
        self.labels = labels
        self.classCount = classCount
    }

    /// The rows at `indices`, in that order.
    public func subset(_ indices: some Collection<Int>) -> TrainingSet {
        let columns = features.columns
        var rows = Matrix(rows: indices.count, columns: columns)
        features.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { output in
                for (target, row) in indices.enumerated() {
                    precondition(row >= 0 && row < labels.count, "subset: row \(row) out of range 0..<\(labels.count)")
                    (output.baseAddress! + target * columns).update(from: source.baseAddress! + row * columns, count: columns)
                }
            }
        }
        return TrainingSet(checkedFeatures: rows, labels: indices.map { labels[$0] }, classCount: classCount)
    }
}
