import Foundation
import LinearAlgebraKernels

extension Kernels {
    /// `log(sum of exp(x[i]))`, computed stably by shifting by the maximum.
    ///
    /// Returns `-infinity` for an empty buffer and for one whose elements are all `-infinity`.
    /// - Complexity: O(n).
    public static func logSumExp(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let maximum = x.max(), maximum > -.infinity else { return -.infinity }
        if maximum == .infinity { return .infinity }
        var sum: Float = 0
        for value in x { sum += Foundation.exp(value - maximum) }
        return maximum + Foundation.log(sum)
    }

    /// Replaces `x` by `softmax(x)`: `exp(x[i] - max) / sum`, stable for any finite logits (the
    /// vector kernel; NaN for a row holding NaN or only −∞, as PyTorch gives).
    /// - Complexity: O(n).
    public static func softmax(_ x: UnsafeMutableBufferPointer<Float>) {
        guard let base = x.baseAddress else { return }
        ek_softmax(InstructionSet.detected.kernelValue, x.count, base)
    }

    /// Replaces `x` by `log(softmax(x))`, computed as `(x[i] - max) - log(sum of exp(x[j] - max))`
    /// so large logits keep their precision.
    /// - Complexity: O(n).
    public static func logSoftmax(_ x: UnsafeMutableBufferPointer<Float>) {
        guard let maximum = x.max(), maximum.isFinite else { return }
        var sum: Float = 0
        for value in x { sum += Foundation.exp(value - maximum) }
        let logSum = Foundation.log(sum)
        for index in x.indices { x[index] = (x[index] - maximum) - logSum }
    }

    /// The index of the largest element, the lowest such index on ties; `nil` when empty.
    /// NaN elements are never chosen.
    /// - Complexity: O(n).
    public static func argmax(_ x: UnsafeBufferPointer<Float>) -> Int? {
        var best: Int?
        for index in x.indices where !x[index].isNaN {
            if best == nil || x[index] > x[best!] { best = index }
        }
        return best
    }
}
