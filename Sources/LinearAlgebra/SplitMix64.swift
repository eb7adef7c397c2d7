import Foundation

/// SplitMix64 (Steele, Lea, Flood 2014): a small, fast, seeded random number generator.
///
/// The same seed gives the same sequence on every platform, so training runs are reproducible.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension RandomNumberGenerator {
    /// A uniform float in `[0, 1)` with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * 0x1p-24
    }

    /// A sample of the normal distribution with the given mean and standard deviation
    /// (Box–Muller transform; one sample per call, so the sequence stays simple to reproduce).
    public mutating func nextNormal(mean: Float = 0, standardDeviation: Float = 1) -> Float {
        let u1 = 1 - nextUnitFloat()  // (0, 1]: the logarithm stays finite
        let u2 = nextUnitFloat()
        let radius = (-2 * Foundation.log(u1)).squareRoot()
        return mean + standardDeviation * radius * Foundation.cos(2 * Float.pi * u2)
    }
}
