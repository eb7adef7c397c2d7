import LinearAlgebra

/// The sum over some axes (ONNX `ReduceSum`).
public struct ReduceSum: AxisReduction {
    /// `ReduceSum`.
    public static let typeName = "ReduceSum"
    /// Whether the result is the mean: false.
    static let averages = false
    /// The reduced axes (negative counts from the end; nil: all of them).
    public let axes: [Int]?
    /// Whether the reduced axes stay as dimensions of size 1.
    public let keepsDimensions: Bool

    /// the sum over `axes`.
    public init(axes: [Int]?, keepsDimensions: Bool) {
        self.axes = axes
        self.keepsDimensions = keepsDimensions
    }
}
