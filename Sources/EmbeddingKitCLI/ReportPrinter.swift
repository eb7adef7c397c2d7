import Classifiers
import Foundation

/// Renders a `ClassificationReport` as text or as the documented JSON object.
enum ReportPrinter {
    /// The report as aligned text; `coverage` (the share of tokens with a vector) is left out when nil (images).
    static func text(_ report: ClassificationReport, labels: [String], coverage: Double?) -> String {
        func number(_ value: Double) -> String { String(format: "%.4f", value) }
        var lines = [
            "examples: \(report.examples)",
            "accuracy: \(number(report.accuracy))",
            "macro-F1: \(number(report.macroF1))",
            "P@\(report.k): \(number(report.precisionAtK))  R@\(report.k): \(number(report.recallAtK))",
        ] + (coverage.map { ["token coverage: \(String(format: "%.1f", 100 * $0))%"] } ?? []) + [
            "",
            "label".padding(toLength: 16, withPad: " ", startingAt: 0) + "precision  recall  f1      support",
        ]
        for scores in report.perClass {
            lines.append(labels[scores.label].padding(toLength: 16, withPad: " ", startingAt: 0)
                + "\(number(scores.precision))     \(number(scores.recall))  \(number(scores.f1))  \(scores.support)")
        }
        let width = max(8, (labels.map(\.count).max() ?? 0) + 2)
        lines.append("")
        lines.append("confusion (rows: true, columns: predicted)")
        lines.append("".padding(toLength: width, withPad: " ", startingAt: 0)
            + labels.map { $0.padding(toLength: width, withPad: " ", startingAt: 0) }.joined())
        for (row, counts) in report.confusion.enumerated() {
            lines.append(labels[row].padding(toLength: width, withPad: " ", startingAt: 0)
                + counts.map { String($0).padding(toLength: width, withPad: " ", startingAt: 0) }.joined())
        }
        return lines.joined(separator: "\n")
    }

    /// fastText's `test` output: `N`, `P@k` and `R@k`, tab-separated, three significant digits.
    static func fastTextSummary(_ report: ClassificationReport) -> String {
        func number(_ value: Double) -> String { String(format: "%.3g", value) }
        return "N\t\(report.examples)\nP@\(report.k)\t\(number(report.precisionAtK))\nR@\(report.k)\t\(number(report.recallAtK))"
    }

    static func json(_ report: ClassificationReport, labels: [String], coverage: Double) -> String {
        let perClass = report.perClass.map { scores in
            JSONValue.object([("label", .string(labels[scores.label])), ("precision", .double(scores.precision)),
                              ("recall", .double(scores.recall)), ("f1", .double(scores.f1)), ("support", .integer(scores.support))])
        }
        return JSONValue.object([
            ("examples", .integer(report.examples)), ("accuracy", .double(report.accuracy)),
            ("macro_f1", .double(report.macroF1)), ("k", .integer(report.k)),
            ("precision_at_k", .double(report.precisionAtK)), ("recall_at_k", .double(report.recallAtK)),
            ("coverage", .double(coverage)), ("per_class", .array(perClass)),
            ("confusion", .object([("labels", .array(labels.map { .string($0) })),
                                   ("matrix", .array(report.confusion.map { .array($0.map { .integer($0) }) }))])),
        ]).rendered
    }
}
