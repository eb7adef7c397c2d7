/// A confusion matrix as a labelled heat map: true classes down, predicted classes across; each
/// cell shaded by its share of its true class (its row) and labelled with its count.
public struct ConfusionMatrixPlot: Sendable {
    /// The class names, by index.
    public let labels: [String]
    /// `counts[true][predicted]`.
    public let counts: [[Int]]
    /// A line above the matrix (e.g. the accuracy).
    public let title: String

    /// A plot of `counts` (square, one row and column per label).
    /// - Precondition: `counts` is `labels.count` × `labels.count`.
    public init(labels: [String], counts: [[Int]], title: String) {
        precondition(counts.count == labels.count && counts.allSatisfy { $0.count == labels.count },
                     "ConfusionMatrixPlot: \(counts.count) rows for \(labels.count) labels")
        self.labels = labels
        self.counts = counts
        self.title = title
    }

    /// The classes drawn: those with a test document or a prediction (a 176-language model tested
    /// on three languages shows a few rows, not 176).
    var shownClasses: [Int] {
        labels.indices.filter { index in counts[index].contains { $0 > 0 } || counts.contains { $0[index] > 0 } }
    }

    /// The SVG document. Cells shrink for many classes (counts are left out below 14-unit
    /// cells and shown as tooltips instead); long labels are shortened to 24 characters.
    public var svg: String {
        let shown = shownClasses, n = shown.count
        let cell = max(6, min(56, 720 / Double(max(n, 1))))
        let fontSize = min(12, max(5, cell * 0.45))
        let names = shown.map { SVGCanvas.shortened(labels[$0], to: 24) }
        let labelSpace = Double(names.map(\.count).max() ?? 1) * fontSize * 0.62 + 12
        let left = labelSpace + 28, top = labelSpace + 64
        let subtitle = n < labels.count ? "\(n) of \(labels.count) classes shown: the others have no test documents and no predictions" : ""
        let textWidth = Double(max(title.count * 9, subtitle.count * 6)) + 24
        var canvas = SVGCanvas(width: max(left + cell * Double(n) + 24, textWidth), height: top + cell * Double(n) + 24)
        canvas.text(title, x: 12, y: 20, size: 14, bold: true)
        if !subtitle.isEmpty { canvas.text(subtitle, x: 12, y: 38, size: 11, color: "#555555") }
        canvas.text("predicted", x: left + cell * Double(n) / 2, y: 56, size: 12, anchor: .middle, color: "#555555")
        canvas.text("true", x: 16, y: top + cell * Double(n) / 2, size: 12, anchor: .middle, rotation: -90, color: "#555555")
        for (index, name) in names.enumerated() {
            let centre = Double(index) * cell + cell / 2
            canvas.text(name, x: left - 6, y: top + centre + fontSize * 0.35, size: fontSize, anchor: .end)
            canvas.text(name, x: left + centre + fontSize * 0.35, y: top - 6, size: fontSize, anchor: .start, rotation: -90)
        }
        for (row, trueClass) in shown.enumerated() {
            let total = counts[trueClass].reduce(0, +)
            for (column, predictedClass) in shown.enumerated() {
                let count = counts[trueClass][predictedClass]
                let share = total == 0 ? 0 : Double(count) / Double(total)
                let (x, y) = (left + Double(column) * cell, top + Double(row) * cell)
                canvas.rectangle(x: x, y: y, width: cell, height: cell, fill: SVGCanvas.blue(share), stroke: "#dddddd",
                                 tooltip: "true \(labels[trueClass]), predicted \(labels[predictedClass]): \(count) (\(Int((100 * share).rounded()))% of the row)")
                if cell >= 14 && count > 0 {
                    canvas.text(String(count), x: x + cell / 2, y: y + cell / 2 + fontSize * 0.35, size: fontSize, anchor: .middle,
                                color: share > 0.5 ? "#ffffff" : "#222222")
                }
            }
        }
        return canvas.rendered
    }
}
