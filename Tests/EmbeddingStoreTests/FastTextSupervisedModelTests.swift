import EmbeddingStore
import Foundation
import Testing

@Suite("FastTextSupervisedModel reads supervised models")
struct FastTextSupervisedModelTests {
    @Test("labels and loss of rt_sup.ftz (softmax) and of the trained one-vs-all, hierarchical and negative-sampling models")
    func labelsAndLoss() throws {
        let quantized = try FastTextSupervisedModel(contentsOf: TestFiles.fixture("rt_sup.ftz"))
        #expect(Set(quantized.labels) == ["fresh", "rotten", "plot"] && quantized.loss == .softmax && quantized.dimensions == 16)
        #expect(try FastTextSupervisedModel(contentsOf: TestFiles.fixture("trained/ova.bin")).loss == .oneVersusAll)
        #expect(try FastTextSupervisedModel(contentsOf: TestFiles.fixture("trained/hs.bin")).loss == .hierarchicalSoftmax)
        #expect(try FastTextSupervisedModel(contentsOf: TestFiles.fixture("trained/ns.bin")).loss == .negativeSampling)
    }

    @Test("an unsupervised model cannot predict")
    func unsupervised() {
        #expect(throws: EmbeddingFileError.self) { try FastTextSupervisedModel(contentsOf: TestFiles.fixture("toy-model.bin")) }
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
        let classifier = try FastTextSupervisedModel(contentsOf: TestFiles.fixture("rt_sup.ftz"))
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
}
