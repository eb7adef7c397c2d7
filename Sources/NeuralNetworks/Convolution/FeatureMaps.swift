import LinearAlgebra

/// The shape of one example's activations: `channels` maps of `height` × `width` (a dense
/// layer's output is `features × 1 × 1`).
public struct MapShape: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The number of maps.
    public var channels: Int
    /// Rows per map.
    public var height: Int
    /// Columns per map.
    public var width: Int

    /// A shape.
    /// - Precondition: every size is positive.
    public init(channels: Int, height: Int, width: Int) {
        precondition(channels > 0 && height > 0 && width > 0, "MapShape: \(channels) × \(height) × \(width)")
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// `features` values with no spatial extent.
    public init(features: Int) { self.init(channels: features, height: 1, width: 1) }

    /// Values per map.
    public var spatialCount: Int { height * width }
    /// Values per example.
    public var count: Int { channels * height * width }

    /// `C×H×W`.
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// A batch of activations in NCHW order: one matrix row per example, holding its channels one
/// after another, each a row-major `height` × `width` map.
public struct FeatureMaps: Sendable {
    /// Every example's activations, one row each.
    public var values: Matrix
    /// The shape of one row.
    public var shape: MapShape

    /// A batch from its values.
    /// - Precondition: each row holds exactly one `shape`.
    public init(values: Matrix, shape: MapShape) {
        precondition(values.columns == shape.count, "FeatureMaps: rows of \(values.columns) values for shape \(shape)")
        self.values = values
        self.shape = shape
    }

    /// `batch` examples of zeros.
    public init(batch: Int, shape: MapShape) {
        self.init(values: Matrix(rows: batch, columns: shape.count), shape: shape)
    }

    /// `batch` examples whose every value the caller writes before reading any (no zeroing pass).
    init(batchToBeWritten batch: Int, shape: MapShape) {
        self.init(values: Matrix(rows: batch, columns: shape.count, writingEveryElement: { _ in }), shape: shape)
    }

    /// The number of examples.
    public var batch: Int { values.rows }
}
