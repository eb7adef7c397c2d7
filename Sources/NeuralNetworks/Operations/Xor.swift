import LinearAlgebra

/// a xor b, element-wise with broadcasting, as 1 or 0 (ONNX `Xor`).
public struct Xor: BroadcastingPredicate {
    /// `Xor`.
    public static let typeName = "Xor"

    /// The operation.
    public init() {}

    /// Whether a xor b.
    static func holds(_ a: Float, _ b: Float) -> Bool { (a != 0) != (b != 0) }
}
