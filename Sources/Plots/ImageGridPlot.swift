import Foundation

/// Images in a grid, each captioned with its predicted and true class; wrong predictions are
/// framed and captioned in red. Images are embedded as BMP data (no external files), drawn with
/// their pixels kept sharp, and larger ones shrunk to at most 96 pixels a side first.
public struct ImageGridPlot: Sendable {
    /// One image: channels × height × width bytes (channel planes one after another, 1 or 3
    /// channels), and its captions.
    public struct Tile: Sendable {
        public var channels: Int, height: Int, width: Int
        public var pixels: [UInt8]
        public var predicted: String, truth: String

        /// A tile.
        /// - Precondition: 1 or 3 channels; `pixels` holds channels × height × width bytes.
        public init(channels: Int, height: Int, width: Int, pixels: [UInt8], predicted: String, truth: String) {
            precondition((channels == 1 || channels == 3) && height > 0 && width > 0 && pixels.count == channels * height * width,
                         "ImageGridPlot.Tile: \(pixels.count) bytes for \(channels) × \(height) × \(width)")
            (self.channels, self.height, self.width, self.pixels, self.predicted, self.truth) = (channels, height, width, pixels, predicted, truth)
        }
    }

    /// The tiles, in grid order.
    public let tiles: [Tile]
    /// A line above the grid.
    public let title: String

    /// A grid of `tiles`.
    public init(tiles: [Tile], title: String) {
        self.tiles = tiles
        self.title = title
    }

    /// The SVG document: 8 columns of 96-unit cells with two caption lines each.
    public var svg: String {
        let columns = 8, cell = 96.0, captions = 30.0, gap = 10.0
        let rows = (tiles.count + columns - 1) / columns
        var canvas = SVGCanvas(width: Double(columns) * (cell + gap) + gap, height: 40 + Double(rows) * (cell + captions + gap))
        canvas.text(title, x: gap, y: 22, size: 14, bold: true)
        for (index, tile) in tiles.enumerated() {
            let x = gap + Double(index % columns) * (cell + gap), y = 40 + Double(index / columns) * (cell + captions + gap)
            let wrong = tile.predicted != tile.truth
            let small = Self.shrunk(tile, toAtMost: Int(cell))
            canvas.image(x: x, y: y, width: cell, height: cell, dataURI: "data:image/bmp;base64," + Self.bitmap(small).base64EncodedString())
            if wrong { canvas.rectangle(x: x - 2, y: y - 2, width: cell + 4, height: cell + 4, fill: "none", stroke: "#d62728", strokeWidth: 2) }
            canvas.text("→ " + SVGCanvas.shortened(tile.predicted, to: 16), x: x, y: y + cell + 13, size: 11, color: wrong ? "#d62728" : "#222222", bold: wrong)
            canvas.text("true " + SVGCanvas.shortened(tile.truth, to: 16), x: x, y: y + cell + 26, size: 10, color: "#666666")
        }
        return canvas.rendered
    }

    /// `tile` shrunk by an integer factor (box average) until both sides are at most `limit`.
    static func shrunk(_ tile: Tile, toAtMost limit: Int) -> Tile {
        let factor = max(1, (max(tile.height, tile.width) + limit - 1) / limit)
        guard factor > 1 else { return tile }
        let height = tile.height / factor, width = tile.width / factor
        var pixels = [UInt8](repeating: 0, count: tile.channels * height * width)
        for channel in 0..<tile.channels {
            for row in 0..<height {
                for column in 0..<width {
                    var sum = 0
                    for dy in 0..<factor {
                        for dx in 0..<factor {
                            sum += Int(tile.pixels[(channel * tile.height + row * factor + dy) * tile.width + column * factor + dx])
                        }
                    }
                    pixels[(channel * height + row) * width + column] = UInt8(sum / (factor * factor))
                }
            }
        }
        return Tile(channels: tile.channels, height: height, width: width, pixels: pixels, predicted: tile.predicted, truth: tile.truth)
    }

    /// `tile` as a 24-bit BMP file (rows bottom-up, each padded to 4 bytes).
    static func bitmap(_ tile: Tile) -> Data {
        let rowBytes = (tile.width * 3 + 3) / 4 * 4, imageBytes = rowBytes * tile.height
        var data = Data()
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: [0x42, 0x4D])
        append(UInt32(54 + imageBytes)); append(UInt32(0)); append(UInt32(54))
        append(UInt32(40)); append(Int32(tile.width)); append(Int32(tile.height)); append(UInt16(1)); append(UInt16(24))
        append(UInt32(0)); append(UInt32(imageBytes)); append(Int32(2835)); append(Int32(2835)); append(UInt32(0)); append(UInt32(0))
        let plane = tile.height * tile.width
        for row in stride(from: tile.height - 1, through: 0, by: -1) {
            var line = [UInt8](repeating: 0, count: rowBytes)
            for column in 0..<tile.width {
                let at = row * tile.width + column
                let (red, green, blue) = tile.channels == 3
                    ? (tile.pixels[at], tile.pixels[plane + at], tile.pixels[2 * plane + at])
                    : (tile.pixels[at], tile.pixels[at], tile.pixels[at])
                (line[3 * column], line[3 * column + 1], line[3 * column + 2]) = (blue, green, red)
            }
            data.append(contentsOf: line)
        }
        return data
    }
}
