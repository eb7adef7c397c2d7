/// Accuracy, macro-F1, per-class precision/recall/F1, the confusion matrix and fastText's P@k/R@k,
/// computed as scikit-learn's `classification_report` and `confusion_matrix` do (a class with no
/// predictions has precision 0; macro averages run over classes that occur in the gold labels or
/// the predictions).
public struct ClassificationReport: Sendable, Codable {
    /// One class's figures.
    public struct ClassScores: Sendable, Codable, Hashable {
        /// The class index.
        public let label: Int
        /// TP / (TP + FP), 0 when the class was never predicted.
        public let precision: Double
        /// TP / (TP + FN), 0 when the class never occurs.
        public let recall: Double
        /// The harmonic mean of precision and recall, 0 when both are 0.
        public let f1: Double
        /// Gold examples of this class.
        public let support: Int
    }

    /// The number of examples.
    public let examples: Int
    /// Share of examples whose top prediction is (one of) their label(s).
    public let accuracy: Double
    /// The unweighted mean F1 over classes that occur.
    public let macroF1: Double
    /// Per-class figures, by class index.
    public let perClass: [ClassScores]
    /// `confusion[gold][predicted]` counts of top-1 predictions (first gold label of each example).
    public let confusion: [[Int]]
    /// The k of P@k and R@k.
    public let k: Int
    /// Correct labels among the top-k predictions over the number of predictions (fastText's P@k).
    public let precisionAtK: Double
    /// Correct labels among the top-k predictions over the number of gold labels (fastText's R@k).
    public let recallAtK: Double

    /// The report for `predictions` (each example's predicted classes, best first, at least one)
    /// against `gold` (each example's classes).
    /// - Precondition: equal counts, classes in `0..<classCount`.
    public init(predictions: [[Int]], gold: [[Int]], classCount: Int, k: Int = 1) {
        precondition(predictions.count == gold.count, "ClassificationReport: \(predictions.count) predictions for \(gold.count) examples")
        var tally = ClassificationTally(classCount: classCount, k: k)
        for (predicted, labels) in zip(predictions, gold) { tally.add(predicted: predicted, gold: labels) }
        self.init(tally)
    }

    /// The report of the examples counted in `tally`.
    public init(_ tally: ClassificationTally) {
        let confusion = tally.confusion
        let scores = confusion.indices.map { label -> ClassScores in
            let truePositives = confusion[label][label]
            let predicted = confusion.reduce(0) { $0 + $1[label] }
            let support = confusion[label].reduce(0, +)
            let precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
            let recall = support == 0 ? 0 : Double(truePositives) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScores(label: label, precision: precision, recall: recall, f1: f1, support: support)
        }
        let occurring = scores.filter { score in score.support > 0 || confusion.contains { $0[score.label] > 0 } }
        examples = tally.examples
        accuracy = tally.examples == 0 ? 0 : Double(tally.correctTop1) / Double(tally.examples)
        macroF1 = occurring.isEmpty ? 0 : occurring.reduce(0) { $0 + $1.f1 } / Double(occurring.count)
        perClass = scores
        self.confusion = confusion
        k = tally.k
        precisionAtK = tally.predictedCount == 0 ? 0 : Double(tally.correctAtK) / Double(tally.predictedCount)
        recallAtK = tally.goldCount == 0 ? 0 : Double(tally.correctAtK) / Double(tally.goldCount)
    }
}

/// The counts behind a `ClassificationReport`, added one example at a time, so a test set of any
/// size is scored in memory that does not grow with it.
public struct ClassificationTally: Sendable {
    /// The k of P@k and R@k.
    public let k: Int
    /// Examples added.
    public private(set) var examples = 0
    /// `confusion[gold][predicted]` of top-1 predictions against each example's first gold class.
    public private(set) var confusion: [[Int]]
    fileprivate var correctTop1 = 0, correctAtK = 0, predictedCount = 0, goldCount = 0

    /// An empty tally for `classCount` classes.
    public init(classCount: Int, k: Int = 1) {
        confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        self.k = k
    }

    /// Counts one example: its predicted classes, best first, and its gold classes.
    /// - Precondition: classes in `0..<classCount`.
    public mutating func add(predicted: [Int], gold: [Int]) {
        examples += 1
        if let top = predicted.first, let first = gold.first {
            confusion[first][top] += 1
            if gold.contains(top) { correctTop1 += 1 }
        }
        let topK = predicted.prefix(k)
        predictedCount += topK.count
        goldCount += gold.count
        correctAtK += topK.filter(gold.contains).count
    }
}
