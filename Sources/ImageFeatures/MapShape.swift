/// The shape of one image: `channels` maps of `height` × `width`.
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

    /// Values per map.
    public var spatialCount: Int { height * width }
    /// Values per example.
    public var count: Int { channels * height * width }

    /// `C×H×W`.
    public var description: String { "\(channels)×\(height)×\(width)" }
}

/// A batch of activations in NCHW order: one matrix row per example, holding its channels one
