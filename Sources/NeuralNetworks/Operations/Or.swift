import LinearAlgebra

/// a or b, element-wise with broadcasting, as 1 or 0 (ONNX `Or`).
public struct Or: BroadcastingPredicate {
    /// `Or`.
    public static let typeName = "Or"

    /// The operation.
    public init() {}

    /// Whether a or b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a != 0 || b != 0 }
}
