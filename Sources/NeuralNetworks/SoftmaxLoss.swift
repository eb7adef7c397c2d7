import Foundation
import LinearAlgebra

/// Softmax cross-entropy over a batch of logits.
public enum SoftmaxLoss {
    /// Turns `logits` (rows × classes) into probabilities in place and returns the weighted sum of
    /// `-log p(label)` (probabilities floored at 1e-12 inside the log).
    public static func apply(_ logits: inout Matrix, labels: ArraySlice<Int>, weights: ArraySlice<Float>) -> Double {
        var loss = 0.0
        let classes = logits.columns
        logits.withUnsafeMutableBufferPointer { values in
            for (row, (label, weight)) in zip(labels, weights).enumerated() {
                let probabilities = UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])
                Kernels.softmax(probabilities)
                loss -= Double(weight) * Double(log(max(probabilities[label], 1e-12)))
            }
        }
        return loss
    }

    /// Replaces probabilities by `weight · (p − onehot(label)) · scale`, the gradient of the loss
    /// with respect to the logits.
    public static func gradient(_ probabilities: inout Matrix, labels: ArraySlice<Int>, weights: ArraySlice<Float>, scale: Float) {
        let classes = probabilities.columns
        probabilities.withUnsafeMutableBufferPointer { values in
            for (row, (label, weight)) in zip(labels, weights).enumerated() {
                values[row * classes + label] -= 1
                for column in 0..<classes { values[row * classes + column] *= weight * scale }
            }
        }
    }
}
