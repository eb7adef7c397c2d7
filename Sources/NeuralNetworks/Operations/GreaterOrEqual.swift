import LinearAlgebra

/// a ≥ b, element-wise with broadcasting, as 1 or 0 (ONNX `GreaterOrEqual`): the causal and padding masks exporters write.
public struct GreaterOrEqual: BroadcastingPredicate {
    /// `GreaterOrEqual`.
    public static let typeName = "GreaterOrEqual"

    /// The operation.
    public init() {}

    /// Whether a ≥ b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a >= b }
}
