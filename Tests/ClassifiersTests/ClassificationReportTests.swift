import Classifiers
import Foundation
import Testing

@Suite("ClassificationReport gives scikit-learn's numbers")
struct ClassificationReportTests {
    struct Golden: Decodable {
        let gold: [Int], predicted: [Int]
        let accuracy: Double, macro_f1: Double
        let per_class: [[Double]]
        let confusion: [[Int]]
    }

    @Test("accuracy, macro-F1, per-class P/R/F1/support and the confusion matrix match sklearn")
    func matchesScikitLearn() throws {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("report-golden.json")
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: url))
        let report = ClassificationReport(predictions: golden.predicted.map { [$0] }, gold: golden.gold.map { [$0] }, classCount: 4)
        #expect(abs(report.accuracy - golden.accuracy) < 1e-12)
        #expect(abs(report.macroF1 - golden.macro_f1) < 1e-12)
        for (scores, expected) in zip(report.perClass, golden.per_class) {
            #expect(abs(scores.precision - expected[0]) < 1e-12 && abs(scores.recall - expected[1]) < 1e-12)
            #expect(abs(scores.f1 - expected[2]) < 1e-12 && Double(scores.support) == expected[3])
        }
        #expect(report.confusion == golden.confusion)
    }

    @Test("P@k and R@k count correct labels among the top k, as fastText does")
    func precisionAtK() {
        let report = ClassificationReport(predictions: [[0, 1], [2, 0], [1, 2]], gold: [[1], [0, 2], [0]], classCount: 3, k: 2)
        #expect(report.precisionAtK == 3.0 / 6.0 && report.recallAtK == 3.0 / 4.0)
    }
}
