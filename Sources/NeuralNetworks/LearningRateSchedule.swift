/// How the step size of stochastic gradient descent changes over training.
public enum LearningRateSchedule: Sendable, Hashable, Codable {
    /// The same rate throughout.
    case constant
    /// From the base rate down to zero in a straight line over all the planned updates
    /// (fastText's schedule).
    case linearDecay

    /// The rate after `done` of `total` planned updates.
    /// - Complexity: O(1).
    @inline(__always)
    public func rate(base: Float, done: Int, total: Int) -> Float {
        switch self {
        case .constant: base
        case .linearDecay: base * max(0, 1 - Float(done) / Float(max(1, total)))
        }
    }
}
