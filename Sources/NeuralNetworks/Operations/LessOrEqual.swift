import LinearAlgebra

/// a ≤ b, element-wise with broadcasting, as 1 or 0 (ONNX `LessOrEqual`).
public struct LessOrEqual: BroadcastingPredicate {
    /// `LessOrEqual`.
    public static let typeName = "LessOrEqual"

    /// The operation.
    public init() {}

    /// Whether a ≤ b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a <= b }
}
