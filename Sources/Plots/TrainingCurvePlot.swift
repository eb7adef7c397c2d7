import Foundation

/// Training per epoch: the training loss (left axis) and, when there was validation data, the
/// validation accuracy (right axis, 0 to 1).
public struct TrainingCurvePlot: Sendable {
    /// One epoch (or L-BFGS iteration): its number, training loss and validation accuracy.
    public struct Point: Sendable {
        public var epoch: Int
        public var loss: Double
        public var validationAccuracy: Double?

        /// A point.
        public init(epoch: Int, loss: Double, validationAccuracy: Double?) {
            self.epoch = epoch
            self.loss = loss
            self.validationAccuracy = validationAccuracy
        }
    }

    /// The points, in epoch order.
    public let points: [Point]
    /// A line above the chart.
    public let title: String
    /// What one step is called on the x axis (`epoch` or `iteration`).
    public let stepName: String

    /// A chart of `points`.
    public init(points: [Point], title: String, stepName: String = "epoch") {
        self.points = points
        self.title = title
        self.stepName = stepName
    }

    /// The SVG document.
    public var svg: String {
        let (left, right, top, bottom, width, height) = (64.0, 64.0, 48.0, 56.0, 640.0, 360.0)
        var canvas = SVGCanvas(width: left + width + right, height: top + height + bottom)
        canvas.text(title, x: 12, y: 22, size: 14, bold: true)
        let losses = points.map(\.loss).filter(\.isFinite)
        let lastEpoch = max(1, points.map(\.epoch).max() ?? 1)
        let lossTop = Self.niceCeiling(losses.max() ?? 1)
        func x(_ epoch: Int) -> Double { left + width * (lastEpoch == 1 ? 0.5 : Double(epoch - 1) / Double(lastEpoch - 1)) }
        func yLoss(_ loss: Double) -> Double { top + height * (1 - min(1, max(0, loss / lossTop))) }
        func yAccuracy(_ accuracy: Double) -> Double { top + height * (1 - min(1, max(0, accuracy))) }
        // Grid and axes.
        for tick in 0...5 {
            let y = top + height * Double(tick) / 5
            canvas.line(from: (left, y), to: (left + width, y), color: "#e6e6e6")
            canvas.text(Self.label(lossTop * Double(5 - tick) / 5), x: left - 8, y: y + 4, size: 11, anchor: .end, color: "#1f77b4")
            if points.contains(where: { $0.validationAccuracy != nil }) {
                canvas.text(String(format: "%.1f", Double(5 - tick) / 5), x: left + width + 8, y: y + 4, size: 11, color: "#d62728")
            }
        }
        canvas.line(from: (left, top + height), to: (left + width, top + height))
        for epoch in Self.ticks(upTo: lastEpoch) {
            canvas.line(from: (x(epoch), top + height), to: (x(epoch), top + height + 5))
            canvas.text(String(epoch), x: x(epoch), y: top + height + 18, size: 11, anchor: .middle)
        }
        canvas.text(stepName, x: left + width / 2, y: top + height + 40, size: 12, anchor: .middle, color: "#555555")
        canvas.text("training loss", x: 16, y: top + height / 2, size: 12, anchor: .middle, rotation: -90, color: "#1f77b4")
        // The curves.
        let lossPoints = points.filter { $0.loss.isFinite }.map { (x: x($0.epoch), y: yLoss($0.loss)) }
        canvas.polyline(lossPoints, color: "#1f77b4")
        lossPoints.forEach { canvas.circle(x: $0.x, y: $0.y, radius: 2.5, fill: "#1f77b4") }
        let accuracyPoints = points.compactMap { point in point.validationAccuracy.map { (x: x(point.epoch), y: yAccuracy($0)) } }
        if !accuracyPoints.isEmpty {
            canvas.polyline(accuracyPoints, color: "#d62728")
            accuracyPoints.forEach { canvas.circle(x: $0.x, y: $0.y, radius: 2.5, fill: "#d62728") }
            canvas.text("validation accuracy", x: left + width + 48, y: top + height / 2, size: 12, anchor: .middle, rotation: 90,
                        color: "#d62728")
            if let best = points.filter({ $0.validationAccuracy != nil }).max(by: { $0.validationAccuracy! < $1.validationAccuracy! }) {
                let (bx, by) = (x(best.epoch), yAccuracy(best.validationAccuracy!))
                canvas.line(from: (bx, top), to: (bx, top + height), color: "#d62728", width: 1, dashed: true)
                canvas.text(String(format: "best %.4f at %@ %d", best.validationAccuracy!, stepName, best.epoch), x: min(bx + 6, left + width - 150),
                            y: max(by - 10, top + 14), size: 11, color: "#d62728")
            }
        }
        return canvas.rendered
    }

    /// The smallest of 1, 2, 2.5, 5 × a power of ten at or above `value` (1 for nothing positive).
    static func niceCeiling(_ value: Double) -> Double {
        guard value > 0, value.isFinite else { return 1 }
        let power = pow(10, floor(log10(value)))
        return [1, 2, 2.5, 5, 10].map { $0 * power }.first { $0 >= value * 0.999_999 }!
    }

    /// Up to about 10 evenly spaced epoch numbers from 1 to `last`.
    static func ticks(upTo last: Int) -> [Int] {
        let step = max(1, Int((Double(last) / 10).rounded(.up)))
        return Array(stride(from: 1, through: last, by: step))
    }

    /// A tick value with as few digits as it needs.
    static func label(_ value: Double) -> String {
        value >= 10 ? String(format: "%.0f", value) : value >= 1 ? String(format: "%.1f", value) : String(format: "%.3g", value)
    }
}
