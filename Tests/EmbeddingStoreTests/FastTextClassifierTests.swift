import EmbeddingStore
import Foundation
import Testing

/// The `(label, probability)` pairs of one `fasttext predict-prob` output line, labels without
/// the `__label__` prefix.
func predictProbLabels(_ line: Substring) -> [(String, Float)] {
    let fields = line.split(separator: " ")
    return stride(from: 0, to: fields.count, by: 2).map {
        (String(fields[$0].dropFirst("__label__".count)), Float(fields[$0 + 1])!)
    }
}

@Suite("FastTextClassifier predicts like fasttext predict-prob")
struct FastTextClassifierTests {
    @Test("rt_sup.ftz (quantized, pruned, word bigrams, char 3–5 grams): same top label, probabilities within 1e-4")
    func matchesPredictProb() throws {
        let classifier = try FastTextClassifier(contentsOf: TestFiles.fixture("rt_sup.ftz"))
        #expect(Set(classifier.labels) == ["fresh", "rotten", "plot"])
        let lines = try String(contentsOfFile: TestFiles.fixture("rt_sup.predict-input.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let expected = try String(contentsOfFile: TestFiles.fixture("golden/rt_sup.ftz.predict-prob.txt"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == expected.count && lines.count == 200)
        var mismatches: [String] = []
        for (line, reference) in zip(lines, expected) {
            let theirs = predictProbLabels(reference)
            let ours = classifier.predict(String(line), k: 3)
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

    @Test("an unsupervised model cannot predict")
    func unsupervised() {
        #expect(throws: EmbeddingFileError.self) { try FastTextClassifier(contentsOf: TestFiles.fixture("toy-model.bin")) }
    }
}

@Suite("The shipped language identifier (lid.176.ftz, hierarchical softmax)")
struct LanguageIdentifierTests {
    static let model = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Embeddings/lid.176.ftz").path

    @Test("1,030 lines of mixed-language text: same top label where not tied, probabilities within 1e-4")
    func matchesPredictProb() throws {
        let classifier = try FastTextClassifier(contentsOf: Self.model)
        #expect(classifier.labels.count == 176)
        let lines = try String(contentsOfFile: TestFiles.fixture("lid/mixed-input.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let expected = try String(contentsOfFile: TestFiles.fixture("lid/mixed-input.predict-prob.txt"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == expected.count && lines.count >= 1000)
        var mismatches: [String] = []
        for (line, reference) in zip(lines, expected) {
            let theirs = predictProbLabels(reference)
            let ours = classifier.predict(String(line), k: 3)
            let tiedAtTop = theirs.count > 1 && abs(theirs[0].1 - theirs[1].1) < 1e-4
            if !tiedAtTop && ours.first?.label != theirs.first?.0 { mismatches.append("\(line.prefix(30)): \(ours) vs \(theirs)") }
            if let top = ours.first, abs(top.probability - theirs[0].1) > 1e-4 { mismatches.append("p \(line.prefix(30)): \(ours) vs \(theirs)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) lines differ, first \(mismatches.prefix(3))")
        #expect(classifier.predict("Bonjour tout le monde").first?.label == "fr")
    }
}

@Suite("Sentence vectors as fasttext print-sentence-vectors")
struct SentenceVectorTests {
    /// The golden vectors and the input lines they were computed from.
    func cases(_ golden: String, _ input: String) throws -> [(line: String, expected: [Float])] {
        let lines = try String(contentsOfFile: TestFiles.fixture(input), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        let vectors = try String(contentsOfFile: TestFiles.fixture("golden/\(golden)"), encoding: .utf8).split(separator: "\n")
            .map { $0.split(separator: " ").map { Float($0)! } }
        #expect(lines.count == vectors.count)
        return Array(zip(lines, vectors))
    }

    func close(_ ours: [Float], _ theirs: [Float]) -> Bool {
        ours.count == theirs.count && zip(ours, theirs).allSatisfy { abs($0 - $1) <= 1e-7 + 5e-5 * abs($1) }
    }

    @Test("unsupervised: the mean of unit word vectors (unknown words by n-grams; an empty line gives zeros)")
    func unsupervised() throws {
        let embeddings = try WordEmbeddings(contentsOf: TestFiles.fixture("toy-model.bin"))
        for (line, expected) in try cases("toy-model.bin.sentences", "sentences-input.txt") {
            #expect(close(embeddings.sentenceVector(line), expected), "'\(line)'")
        }
    }

    @Test("supervised: the mean of the input rows with word n-grams and </s>")
    func supervised() throws {
        let classifier = try FastTextClassifier(contentsOf: TestFiles.fixture("rt_sup.ftz"))
        for (line, expected) in try cases("rt_sup.ftz.sentences", "sentences-supervised-input.txt") {
            #expect(close(classifier.sentenceVector(line), expected), "'\(line.prefix(40))'")
        }
    }
}

@Suite("Models trained here with the fastText CLI (Fixtures/trained/make_trained_models.sh)")
struct TrainedFastTextModelTests {
    @Test("skipgram (n-grams 3–5) and cbow (2–4): print-word-vectors for known, unknown and accented words",
          arguments: ["skipgram", "cbow"])
    func wordVectors(model: String) throws {
        let embeddings = try WordEmbeddings(contentsOf: TestFiles.fixture("trained/\(model).bin"))
        let golden = try String(contentsOfFile: TestFiles.fixture("trained/\(model).vectors"), encoding: .utf8).split(separator: "\n")
        #expect(golden.count == 6)
        for line in golden {
            let fields = line.split(separator: " ")
            let expected = fields.dropFirst().map { Float($0)! }
            let ours = embeddings.vector(for: String(fields[0])) ?? []
            #expect(ours.count == expected.count && zip(ours, expected).allSatisfy { abs($0 - $1) <= 1e-7 + 5e-5 * abs($1) },
                    "\(model) \(fields[0]): \(ours.prefix(3)) vs \(expected.prefix(3))")
        }
    }

    @Test("one-vs-all, hierarchical-softmax and negative-sampling supervised models with word bigrams: predict-prob on 100 lines",
          arguments: ["ova", "hs", "ns"])
    func predictions(model: String) throws {
        let classifier = try FastTextClassifier(contentsOf: TestFiles.fixture("trained/\(model).bin"))
        let lines = try String(contentsOfFile: TestFiles.fixture("trained/lines.txt"), encoding: .utf8).split(separator: "\n")
        let golden = try String(contentsOfFile: TestFiles.fixture("trained/\(model).predict-prob"), encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 100 && golden.count == 100)
        var mismatches = 0
        for (line, reference) in zip(lines, golden) {
            let theirs = predictProbLabels(reference)
            let ours = classifier.predict(String(line), k: 3)
            let tied = theirs.count > 1 && abs(theirs[0].1 - theirs[1].1) < 1e-4
            if (!tied && ours.first?.label != theirs[0].0)
                || theirs.contains(where: { label, p in !ours.contains { $0.label == label && abs($0.probability - p) <= 1e-4 } }) {
                mismatches += 1
            }
        }
        #expect(mismatches == 0, "\(model): \(mismatches) of 100 lines differ")
    }
}
