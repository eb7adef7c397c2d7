import LinearAlgebra

/// The mean over some axes (ONNX `ReduceMean`): MNASNet's global pool, a LayerNorm exported as primitives.
public struct ReduceMean: AxisReduction {
    /// `ReduceMean`.
    public static let typeName = "ReduceMean"
    /// Whether the result is the mean: true.
    static let averages = true
    /// The reduced axes (negative counts from the end; nil: all of them).
    public let axes: [Int]?
    /// Whether the reduced axes stay as dimensions of size 1.
    public let keepsDimensions: Bool

    /// the mean over `axes`.
    public init(axes: [Int]?, keepsDimensions: Bool) {
        self.axes = axes
        self.keepsDimensions = keepsDimensions
    }
}
