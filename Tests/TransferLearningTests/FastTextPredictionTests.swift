import Foundation
import Testing
import TransferLearning

/// The `(label, probability)` pairs of one `fasttext predict-prob` output line, labels without
/// the `__label__` prefix.
private func predictProbLabels(_ line: Substring) -> [(String, Float)] {
    let fields = line.split(separator: " ")
    return stride(from: 0, to: fields.count, by: 2).map {
        (String(fields[$0].dropFirst("__label__".count)), Float(fields[$0 + 1])!)
    }
}

@Suite("A fastText model used as it is predicts like fasttext predict-prob")
struct FastTextPredictionTests {
    @Test("rt_sup.ftz (quantized, pruned, word bigrams, char 3–5 grams): same top label, probabilities within 1e-4")
    func matchesPredictProb() throws {
        let classifier = try TransferModel(contentsOf: FastTextFixtures.path("rt_sup.ftz"))
        #expect(Set(classifier.labels) == ["fresh", "rotten", "plot"])
        let lines = try String(contentsOfFile: FastTextFixtures.path("rt_sup.predict-input.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let expected = try String(contentsOfFile: FastTextFixtures.path("golden/rt_sup.ftz.predict-prob.txt"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == expected.count && lines.count == 200)
        var mismatches: [String] = []
        for (line, reference) in zip(lines, expected) {
            let theirs = predictProbLabels(reference)
            let ours = try classifier.predict(String(line), k: 3)
            let tiedAtTop = theirs.count > 1 && abs(theirs[0].1 - theirs[1].1) < 1e-4
            if !tiedAtTop && ours.first?.label != theirs.first?.0 { mismatches.append("top: \(ours) vs \(theirs)") }
            for (label, probability) in theirs {
                guard let mine = ours.first(where: { $0.label == label }), abs(mine.probability - probability) <= 1e-4 else {
                    mismatches.append("\(label): \(ours) vs \(theirs)")
                    break
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ, first \(mismatches.prefix(3))")
    }
}

@Suite("The shipped language identifier (lid.176.ftz, hierarchical softmax)")
struct LanguageIdentifierTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Embeddings/lid.176.ftz").path

    @Test("1,030 lines of mixed-language text: same top label where not tied, probabilities within 1e-4")
    func matchesPredictProb() throws {
        let classifier = try TransferModel(contentsOf: Self.model)
        #expect(classifier.labels.count == 176)
        let lines = try String(contentsOfFile: FastTextFixtures.path("lid/mixed-input.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let expected = try String(contentsOfFile: FastTextFixtures.path("lid/mixed-input.predict-prob.txt"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == expected.count && lines.count >= 1000)
        var mismatches: [String] = []
        for (line, reference) in zip(lines, expected) {
            let theirs = predictProbLabels(reference)
            let ours = try classifier.predict(String(line), k: 3)
            let tiedAtTop = theirs.count > 1 && abs(theirs[0].1 - theirs[1].1) < 1e-4
            if !tiedAtTop && ours.first?.label != theirs.first?.0 { mismatches.append("\(line.prefix(30)): \(ours) vs \(theirs)") }
            if let top = ours.first, abs(top.probability - theirs[0].1) > 1e-4 { mismatches.append("p \(line.prefix(30)): \(ours) vs \(theirs)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ, first \(mismatches.prefix(3))")
        #expect(try classifier.predict("Bonjour tout le monde").first?.label == "fr")
    }
}

@Suite("fastText models trained here (EmbeddingStoreTests/Fixtures/trained/make_trained_models.sh) predict as predict-prob")
struct TrainedFastTextPredictionTests {
    @Test("one-vs-all, hierarchical-softmax and negative-sampling supervised models with word bigrams: predict-prob on 100 lines",
          arguments: ["ova", "hs", "ns"])
    func predictions(model: String) throws {
        let classifier = try TransferModel(contentsOf: FastTextFixtures.path("trained/\(model).bin"))
        let lines = try String(contentsOfFile: FastTextFixtures.path("trained/lines.txt"), encoding: .utf8).split(separator: "\n")
        let golden = try String(contentsOfFile: FastTextFixtures.path("trained/\(model).predict-prob"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 100 && golden.count == 100)
        var mismatches = 0
        for (line, reference) in zip(lines, golden) {
            let theirs = predictProbLabels(reference)
            let ours = try classifier.predict(String(line), k: 3)
            let tied = theirs.count > 1 && abs(theirs[0].1 - theirs[1].1) < 1e-4
            if (!tied && ours.first?.label != theirs[0].0)
                || theirs.contains(where: { label, p in !ours.contains { $0.label == label && abs($0.probability - p) <= 1e-4 } }) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "\(model): \(mismatches) of 100 lines differ")
    }
}

/// The fastText fixtures of the EmbeddingStore tests (models made with the fastText CLI and its
/// outputs), read in place from the source tree.
enum FastTextFixtures {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("EmbeddingStoreTests/Fixtures")

    static func path(_ name: String) -> String { folder.appendingPathComponent(name).path }
}
