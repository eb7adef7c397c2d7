import LinearAlgebra

/// The smaller of a and b, element-wise with broadcasting (ONNX `Min` of two inputs; the importer
/// chains more): a clamp from above written by an exporter.
public struct Min: BroadcastingExtremum {
    /// `Min`.
    public static let typeName = "Min"

    /// The operation.
    public init() {}

    /// Whether a < b.
    static func prefers(_ a: Float, _ b: Float) -> Bool { a < b }
}
