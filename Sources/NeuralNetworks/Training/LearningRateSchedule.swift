import Foundation

/// How the step size changes over training.
public enum LearningRateSchedule: Sendable, Hashable, Codable {
    /// The same rate throughout.
    case constant
    /// From the base rate down to zero in a straight line over all the planned updates
    /// (fastText's schedule).
    case linearDecay
    /// Up from zero in a straight line over the first `warmup` share of the updates, then down
    /// to zero along a half cosine (the usual fine-tuning schedule for ConvNets).
    case warmupCosine(warmup: Float)
    /// Up from zero over the first `warmup` share of the updates, then down to zero in a straight
    /// line (BERT's fine-tuning schedule).
    case warmupLinear(warmup: Float)

    /// The rate after `done` of `total` planned updates.
    /// - Complexity: O(1).
    @inline(__always)
    public func rate(base: Float, done: Int, total: Int) -> Float {
        let progress = Float(done) / Float(max(1, total))
        switch self {
        case .constant:
            return base
        case .linearDecay:
            return base * max(0, 1 - progress)
        case .warmupCosine(let warmup), .warmupLinear(let warmup):
            // The first update already moves (at base / warm-up steps), never faster than `base`.
            if progress < warmup { return base * min(1, (progress + 1 / Float(max(1, total))) / warmup) }
            let rest = min(1, (progress - warmup) / max(1e-6, 1 - warmup))
            if case .warmupLinear = self { return base * max(0, 1 - rest) }
            return base * 0.5 * (1 + cos(Float.pi * rest))
        }
    }
}
