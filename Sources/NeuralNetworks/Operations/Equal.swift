import LinearAlgebra

/// a == b, element-wise with broadcasting, as 1 or 0 (ONNX `Equal`): a padding mask from ids, a position test.
public struct Equal: BroadcastingPredicate {
    /// `Equal`.
    public static let typeName = "Equal"

    /// The operation.
    public init() {}

    /// Whether a == b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a == b }
}
