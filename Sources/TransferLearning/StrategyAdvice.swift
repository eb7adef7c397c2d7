import Foundation

/// Why `auto` chose a strategy: the measurements behind the choice, recorded in the model.
public struct StrategyAdvice: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The chosen strategy.
    public var chosen: TransferStrategy.Kind
    /// Training documents.
    public var trainingDocuments: Int
    /// The share of training tokens with a pre-trained vector.
    public var tokenCoverage: Double
    /// Held-out accuracy of each candidate measured in the quick comparison, by kind name.
    public var heldOutAccuracy: [String: Double]
    /// The rule that decided, in words.
    public var reason: String

    /// `chosen: reason (evidence)`.
    public var description: String {
        let scores = heldOutAccuracy.sorted { $0.key < $1.key }
            .map { "\($0.key) \(String(format: "%.4f", $0.value))" }.joined(separator: ", ")
        return "\(chosen.rawValue): \(reason) (\(trainingDocuments) documents, token coverage "
            + "\(String(format: "%.1f", 100 * tokenCoverage))%" + (scores.isEmpty ? "" : "; held-out accuracy \(scores)") + ")"
    }
}
