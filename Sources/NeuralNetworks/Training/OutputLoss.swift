import Foundation
import LinearAlgebra

/// How a network's outputs become probabilities, and the loss it trains on.
public enum OutputLoss: String, Sendable, Hashable, Codable, CaseIterable {
    /// One class per example: softmax over the classes, cross-entropy of the true class.
    case softmax
    /// Any number of classes per example (fastText's `-loss ova`): an independent sigmoid per
    /// class, the sum of the binary cross-entropies; probabilities need not sum to 1.
    case oneVersusAll

    /// Turns one example's `logits` into probabilities in place.
    @inline(__always)
    public func probabilities(_ logits: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .softmax:
            Kernels.softmax(logits)
        case .oneVersusAll:
            for index in logits.indices { logits[index] = Self.sigmoid(logits[index]) }
        }
    }

    /// The loss of one example whose `probabilities` (from `probabilities(_:)`) belong to the
    /// classes `label` and `others`; writes its gradient with respect to the logits into
    /// `gradient` (p − y for both losses). Probabilities are floored at 1e-12 inside the logs.
    @inline(__always)
    func lossAndGradient(_ probabilities: UnsafeMutableBufferPointer<Float>, label: Int, others: UnsafeBufferPointer<Int32>,
                         gradient: UnsafeMutableBufferPointer<Float>) -> Double {
        _ = gradient.update(fromContentsOf: probabilities)
        gradient[label] -= 1
        switch self {
        case .softmax:
            return -Double(log(max(probabilities[label], 1e-12)))
        case .oneVersusAll:
            for other in others { gradient[Int(other)] -= 1 }
            // gradient[c] is p − 1 for a true class and p for the others: −log of 1 − |gradient[c]|.
            return gradient.reduce(0.0) { $0 - Double(log(max(1 - abs($1), 1e-12))) }
        }
    }

    /// The loss of one example from its probabilities (no gradient).
    public func loss(_ probabilities: UnsafeBufferPointer<Float>, classes: some Sequence<Int>) -> Double {
        switch self {
        case .softmax:
            var first = classes.makeIterator()
            return -Double(log(max(probabilities[first.next()!], 1e-12)))
        case .oneVersusAll:
            let truth = Set(classes)
            return probabilities.indices.reduce(0.0) { sum, index in
                sum - Double(log(max(truth.contains(index) ? probabilities[index] : 1 - probabilities[index], 1e-12)))
            }
        }
    }

    /// 1 / (1 + e^−x), without overflow for large |x|.
    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x))
    }
}

extension OutputLoss {
    /// The loss of a batch of class scores (`logits`, N × classes) against one class per example,
    /// each example's loss times its weight (1 without weights), summed and divided by N; and its
    /// gradient with respect to the logits.
    /// - Precondition: a label per row, each a class of the logits.
    public func batchLossAndGradient(logits: Tensor, labels: [Int], weights: [Float]? = nil) -> (loss: Double, gradient: Tensor) {
        precondition(logits.rank == 2 && labels.count == logits.shape[0] && (weights?.count ?? labels.count) == labels.count,
                     "batchLossAndGradient: \(labels.count) labels for logits \(logits.shape)")
        let (rows, classes) = (logits.shape[0], logits.shape[1])
        var gradient = logits, loss = 0.0
        gradient.withUnsafeMutableBufferPointer { values in
            for row in 0..<rows {
                precondition((0..<classes).contains(labels[row]), "batchLossAndGradient: label \(labels[row]) of \(classes) classes")
                let scores = UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])
                probabilities(scores)
                let weight = weights?[row] ?? 1
                loss += Double(weight) * self.loss(UnsafeBufferPointer(scores), classes: CollectionOfOne(labels[row]))
                // p − y for both losses.
                scores[labels[row]] -= 1
                Kernels.scale(scores, by: weight / Float(max(1, rows)))
            }
        }
        return (loss / Double(max(1, rows)), gradient)
    }
}
