import LinearAlgebra

/// a < b, element-wise with broadcasting, as 1 or 0 (ONNX `Less`).
public struct Less: BroadcastingPredicate {
    /// `Less`.
    public static let typeName = "Less"

    /// The operation.
    public init() {}

    /// Whether a < b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a < b }
}
