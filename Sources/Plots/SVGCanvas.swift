import Foundation

/// A self-contained SVG drawing built element by element: text, rectangles, lines, polylines
/// and circles in user units, with a white background; no external fonts, styles or images.
public struct SVGCanvas: Sendable {
    /// The drawing's width and height.
    public let width: Double, height: Double
    private var elements: [String] = []

    /// An empty white canvas.
    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
        rectangle(x: 0, y: 0, width: width, height: height, fill: "#ffffff")
    }

    /// How text lines up with its point.
    public enum Anchor: String, Sendable {
        case start, middle, end
    }

    /// `text` at (`x`, `y`) (its baseline), optionally turned by `rotation` degrees around that point.
    public mutating func text(_ text: String, x: Double, y: Double, size: Double = 12, anchor: Anchor = .start,
                              rotation: Double = 0, color: String = "#222222", bold: Bool = false) {
        let turn = rotation == 0 ? "" : #" transform="rotate(\#(Self.number(rotation)) \#(Self.number(x)) \#(Self.number(y)))""#
        elements.append(#"<text x="\#(Self.number(x))" y="\#(Self.number(y))" font-size="\#(Self.number(size))" text-anchor="\#(anchor.rawValue)" fill="\#(color)"\#(bold ? #" font-weight="bold""# : "")\#(turn)>\#(Self.escaped(text))</text>"#)
    }

    /// A rectangle, filled and optionally outlined, with an optional tooltip.
    public mutating func rectangle(x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
                                   strokeWidth: Double = 0.5, tooltip: String? = nil) {
        let outline = stroke.map { #" stroke="\#($0)" stroke-width="\#(Self.number(strokeWidth))""# } ?? ""
        let rect = #"<rect x="\#(Self.number(x))" y="\#(Self.number(y))" width="\#(Self.number(width))" height="\#(Self.number(height))" fill="\#(fill)"\#(outline)"#
        elements.append(tooltip.map { rect + "><title>\(Self.escaped($0))</title></rect>" } ?? rect + "/>")
    }

    /// A straight line.
    public mutating func line(from start: (x: Double, y: Double), to end: (x: Double, y: Double), color: String = "#222222",
                              width: Double = 1, dashed: Bool = false) {
        elements.append(#"<line x1="\#(Self.number(start.x))" y1="\#(Self.number(start.y))" x2="\#(Self.number(end.x))" y2="\#(Self.number(end.y))" stroke="\#(color)" stroke-width="\#(Self.number(width))"\#(dashed ? #" stroke-dasharray="4 3""# : "")/>"#)
    }

    /// Connected line segments through `points`.
    public mutating func polyline(_ points: [(x: Double, y: Double)], color: String, width: Double = 2) {
        let list = points.map { "\(Self.number($0.x)),\(Self.number($0.y))" }.joined(separator: " ")
        elements.append(#"<polyline points="\#(list)" fill="none" stroke="\#(color)" stroke-width="\#(Self.number(width))" stroke-linejoin="round"/>"#)
    }

    /// An embedded raster image stretched over the box, its pixels kept sharp.
    public mutating func image(x: Double, y: Double, width: Double, height: Double, dataURI: String) {
        elements.append(#"<image x="\#(Self.number(x))" y="\#(Self.number(y))" width="\#(Self.number(width))" height="\#(Self.number(height))" preserveAspectRatio="xMidYMid meet" style="image-rendering:pixelated" href="\#(dataURI)"/>"#)
    }

    /// A filled circle.
    public mutating func circle(x: Double, y: Double, radius: Double, fill: String) {
        elements.append(#"<circle cx="\#(Self.number(x))" cy="\#(Self.number(y))" r="\#(Self.number(radius))" fill="\#(fill)"/>"#)
    }

    /// The SVG document.
    public var rendered: String {
        #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
            + #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(Self.number(width))" height="\#(Self.number(height))" viewBox="0 0 \#(Self.number(width)) \#(Self.number(height))" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">"#
            + "\n" + elements.joined(separator: "\n") + "\n</svg>\n"
    }

    /// A coordinate with at most two decimals.
    static func number(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(format: "%.2f", rounded)
    }

    /// `text` cut to at most `length` characters, ending in `…` when cut.
    static func shortened(_ text: String, to length: Int) -> String {
        text.count > length ? String(text.prefix(length - 1)) + "…" : text
    }

    /// `text` with XML's special characters escaped.
    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }

    /// The colour `share` (0…1) of the way from white to a dark blue, as `#rrggbb`.
    static func blue(_ share: Double) -> String {
        let t = min(1, max(0, share.isFinite ? share : 0))
        let (r, g, b) = (255 - t * (255 - 8), 255 - t * (255 - 48), 255 - t * (255 - 107))
        return String(format: "#%02x%02x%02x", Int(r.rounded()), Int(g.rounded()), Int(b.rounded()))
    }
}
