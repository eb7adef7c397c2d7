import Foundation

/// Why `auto` chose a strategy: the measurements behind the choice, recorded in the model.
public struct StrategyAdvice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The chosen strategy.
    public var chosen: TransferStrategy.Kind
    /// Training documents.
    public var trainingDocuments: Int
    /// The share of training tokens with a pre-trained vector (1 for images).
    public var tokenCoverage: Double
    /// What the model reads (nil: texts, as in models written before images had `auto`).
    public var inputKind: InputKind?
    /// Images: the held-out accuracy of logistic regression on raw pixels, the baseline transfer
    /// must beat to be worth it (nil for texts).
    public var pixelBaselineAccuracy: Double?
    /// Held-out accuracy of each candidate measured in the quick comparison, by kind name.
    public var heldOutAccuracy: [String: Double]
    /// The rule that decided, in words.
    public var reason: String

    /// `chosen: reason (evidence)`.
    public var description: String {
        let scores = heldOutAccuracy.sorted { $0.key < $1.key }
            .map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
        let data = inputKind == .images
            ? "\(trainingDocuments) images" + (pixelBaselineAccuracy.map { ", raw pixels \(String(format: "%.4f", $0)) held out" } ?? "")
            : "\(trainingDocuments) documents, token coverage \(String(format: "%.1f", 100 * tokenCoverage))%"
        return "\(chosen.rawValue): \(reason) (\(data)" + (scores.isEmpty ? "" : "; held-out accuracy \(scores)") + ")"
    }
}

extension StrategyAdvice {
    /// The kind of inputs a strategy was chosen for.
    public enum InputKind: String, Sendable, Hashable, Codable {
        /// Documents.
        case texts
        /// Images.
        case images
    }
}
