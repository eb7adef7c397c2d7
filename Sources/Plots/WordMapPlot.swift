/// Words drawn at their first two principal components, labelled.
public struct WordMapPlot: Sendable {
    /// The words and their vectors.
    public let words: [String]
    public let vectors: [[Float]]
    /// A line above the map.
    public let title: String

    /// A map of `words` at `vectors` (one vector per word, all of one length).
    /// - Precondition: as many vectors as words.
    public init(words: [String], vectors: [[Float]], title: String) {
        precondition(words.count == vectors.count, "WordMapPlot: \(words.count) words for \(vectors.count) vectors")
        self.words = words
        self.vectors = vectors
        self.title = title
    }

    /// The SVG document.
    public var svg: String {
        let (left, top, width, height) = (48.0, 48.0, 640.0, 480.0)
        var canvas = SVGCanvas(width: left * 2 + width, height: top + height + 40)
        canvas.text(title, x: 12, y: 22, size: 14, bold: true)
        let points = PrincipalComponents.project(vectors)
        let xs = points.map { $0[0] }, ys = points.map { $0[1] }
        let (xLow, xHigh) = (xs.min() ?? 0, xs.max() ?? 0), (yLow, yHigh) = (ys.min() ?? 0, ys.max() ?? 0)
        func scaled(_ value: Double, _ low: Double, _ high: Double) -> Double { high > low ? (value - low) / (high - low) : 0.5 }
        canvas.rectangle(x: left, y: top, width: width, height: height, fill: "#fafafa", stroke: "#cccccc")
        canvas.text("first principal component", x: left + width / 2, y: top + height + 24, size: 12, anchor: .middle, color: "#555555")
        canvas.text("second principal component", x: 20, y: top + height / 2, size: 12, anchor: .middle, rotation: -90, color: "#555555")
        for (index, word) in words.enumerated() {
            let x = left + 12 + (width - 24) * scaled(xs[index], xLow, xHigh)
            let y = top + 12 + (height - 24) * (1 - scaled(ys[index], yLow, yHigh))
            canvas.circle(x: x, y: y, radius: 3.5, fill: "#1f77b4")
            let anchor: SVGCanvas.Anchor = x > left + width * 0.8 ? .end : .start
            canvas.text(word, x: anchor == .end ? x - 6 : x + 6, y: y - 5, size: 12, anchor: anchor)
        }
        return canvas.rendered
    }
}
