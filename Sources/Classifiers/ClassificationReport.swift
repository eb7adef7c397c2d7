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
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classCount), count: classCount)
        var correctTop1 = 0, correctAtK = 0, predictedCount = 0, goldCount = 0
        for (predicted, labels) in zip(predictions, gold) {
            if let top = predicted.first, let first = labels.first {
                confusion[first][top] += 1
                if labels.contains(top) { correctTop1 += 1 }
            }
            let topK = predicted.prefix(k)
            predictedCount += topK.count
            goldCount += labels.count
            correctAtK += topK.filter(labels.contains).count
        }
        let scores = (0..<classCount).map { label -> ClassScores in
            let truePositives = confusion[label][label]
            let predicted = confusion.reduce(0) { $0 + $1[label] }
            let support = confusion[label].reduce(0, +)
            let precision = predicted == 0 ? 0 : Double(truePositives) / Double(predicted)
            let recall = support == 0 ? 0 : Double(truePositives) / Double(support)
            let f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall)
            return ClassScores(label: label, precision: precision, recall: recall, f1: f1, support: support)
        }
        let occurring = scores.filter { score in score.support > 0 || confusion.contains { $0[score.label] > 0 } }
        examples = predictions.count
        accuracy = predictions.isEmpty ? 0 : Double(correctTop1) / Double(predictions.count)
        macroF1 = occurring.isEmpty ? 0 : occurring.reduce(0) { $0 + $1.f1 } / Double(occurring.count)
        perClass = scores
        self.confusion = confusion
        self.k = k
        precisionAtK = predictedCount == 0 ? 0 : Double(correctAtK) / Double(predictedCount)
        recallAtK = goldCount == 0 ? 0 : Double(correctAtK) / Double(goldCount)
    }
}
