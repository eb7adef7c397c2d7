import LinearAlgebra

/// The larger of a and b, element-wise with broadcasting (ONNX `Max` of two inputs; the importer
/// chains more): a clamp from below written by an exporter.
public struct Max: BroadcastingExtremum {
    /// `Max`.
    public static let typeName = "Max"

    /// The operation.
    public init() {}

    /// Whether a > b.
    static func prefers(_ a: Float, _ b: Float) -> Bool { a > b }
}
