import Testing

/// Whether `actual` is within `tolerance` of `expected`, relative to max(1, |expected|).
func isClose(_ actual: Float, _ expected: Float, tolerance: Float) -> Bool {
    if actual == expected { return true }
    return abs(actual - expected) <= tolerance * max(1, abs(expected))
}

/// Records an issue unless `actual` is within `tolerance` of `expected` (see `isClose`).
func expectClose(
    _ actual: Float, _ expected: Float, tolerance: Float, _ context: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(isClose(actual, expected, tolerance: tolerance),
            "\(actual) vs expected \(expected) (tolerance \(tolerance)) \(context())",
            sourceLocation: sourceLocation)
}

/// Element-wise `expectClose` over two sequences of the same length.
func expectClose<A: Sequence, B: Sequence>(
    _ actual: A, _ expected: B, tolerance: Float, _ context: @autoclosure () -> String = "",
    sourceLocation: SourceLocation = #_sourceLocation
) where A.Element == Float, B.Element == Float {
    let actual = Array(actual), expected = Array(expected)
    #expect(actual.count == expected.count, "lengths differ \(context())", sourceLocation: sourceLocation)
    let mismatches = zip(actual, expected).enumerated().filter { !isClose($0.element.0, $0.element.1, tolerance: tolerance) }
    #expect(mismatches.isEmpty,
            "\(mismatches.count) mismatches, first \(mismatches.prefix(3).map { "[\($0.offset)] \($0.element.0) vs \($0.element.1)" }) \(context())",
            sourceLocation: sourceLocation)
}

/// Deterministic test values in [-1, 1).
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var generator = SplitMix64Reference(seed: seed)
    return (0..<count).map { _ in Float(generator.next() >> 40) * 0x1p-23 - 1 }
}

/// A textbook SplitMix64, kept separate from the one under test so fixtures do not depend on it.
struct SplitMix64Reference {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
