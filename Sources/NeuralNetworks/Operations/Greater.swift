import LinearAlgebra

/// a > b, element-wise with broadcasting, as 1 or 0 (ONNX `Greater`).
public struct Greater: BroadcastingPredicate {
    /// `Greater`.
    public static let typeName = "Greater"

    /// The operation.
    public init() {}

    /// Whether a > b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a > b }
}
