import LinearAlgebra

/// a and b, element-wise with broadcasting, as 1 or 0 (ONNX `And`): two masks combined.
public struct And: BroadcastingPredicate {
    /// `And`.
    public static let typeName = "And"

    /// The operation.
    public init() {}

    /// Whether a and b.
    static func holds(_ a: Float, _ b: Float) -> Bool { a != 0 && b != 0 }
}
