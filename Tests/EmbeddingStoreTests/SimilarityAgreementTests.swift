import EmbeddingStore
import Foundation
import Testing

/// gensim 4.4.0's answers on the shipped GloVe subset (see Fixtures/make_similarity_golden.py).
struct SimilarityGolden: Decodable {
    struct Analogy: Decodable {
        let a: String, b: String, c: String
        let add: [[Answer]], mul: [[Answer]]
    }
    struct Evaluation: Decodable {
        struct Section: Decodable { let name: String, correct: Int, total: Int }
        let accuracy: Double
        let sections: [Section]
    }
    struct Pairs: Decodable { let pearson: Double, spearman: Double, oov_ratio: Double }
    /// A `[word, similarity]` pair, decoded from a mixed JSON array.
    enum Answer: Decodable {
        case word(String), similarity(Double)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let word = try? container.decode(String.self) { self = .word(word) } else { self = .similarity(try container.decode(Double.self)) }
        }
    }

    let neighbors: [String: [[Answer]]]
    let analogies: [Analogy]
    let evaluate_analogies: Evaluation
    let evaluate_pairs: Pairs

    static func pairs(_ answers: [[Answer]]) -> [(word: String, similarity: Float)] {
        answers.map { pair in
            guard case .word(let word) = pair[0], case .similarity(let value) = pair[1] else { fatalError("bad golden pair") }
            return (word, Float(value))
        }
    }
}

/// The shipped GloVe subset: the first 20,000 words of GloVe 6B 50d.
let shippedGlove: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Embeddings/glove.6B.50d.20k.txt.gz").path

@Suite("Queries and evaluations agree with gensim 4.4.0 on GloVe 6B 50d (first 20,000 words)", .serialized)
struct SimilarityAgreementTests {
    static let embeddings = try! WordEmbeddings(contentsOf: shippedGlove)
    static let golden = try! JSONDecoder().decode(SimilarityGolden.self, from: Data(
        contentsOf: TestFiles.fixtures.appendingPathComponent("golden/similarity-glove20k.json")))

    /// Same words in the same order, except neighbours whose gensim scores tie within 2e-6, and
    /// every score within 1e-5 of gensim's at that rank.
    func mismatches(_ ours: [Neighbor]?, _ theirs: [(word: String, similarity: Float)]) -> Int {
        guard let ours, ours.count == theirs.count else { return 1 }
        var count = 0
        for index in ours.indices {
            let nearTie = (index > 0 && abs(theirs[index].similarity - theirs[index - 1].similarity) < 2e-6)
                || (index + 1 < theirs.count && abs(theirs[index].similarity - theirs[index + 1].similarity) < 2e-6)
            if ours[index].word != theirs[index].word && !nearTie { count += 1 }
            if abs(ours[index].similarity - theirs[index].similarity) > 1e-5 { count += 1 }
        }
        return count
    }

    @Test("nearest neighbours of 250 words: same top 10, cosines within 1e-5")
    func neighbors() {
        let words = Self.golden.neighbors.keys.sorted()
        let batched = Self.embeddings.nearestNeighbors(ofWords: words, k: 10)
        var bad: [String] = []
        for (word, answer) in zip(words, batched) {
            let expected = SimilarityGolden.pairs(Self.golden.neighbors[word]!)
            if mismatches(answer, expected) > 0 { bad.append(word) }
            if mismatches(Self.embeddings.nearestNeighbors(of: word, k: 10), expected) > 0 { bad.append(word + " (single)") }
        }
        #expect(bad.isEmpty, "\(bad.count) queries differ: \(bad.prefix(5))")
    }

    @Test("200 analogies with 3CosAdd and 3CosMul")
    func analogies() {
        var bad: [String] = []
        for question in Self.golden.analogies {
            let add = Self.embeddings.analogy(a: question.a, b: question.b, c: question.c, k: 10, method: .add)
            let mul = Self.embeddings.analogy(a: question.a, b: question.b, c: question.c, k: 10, method: .multiply)
            if mismatches(add, SimilarityGolden.pairs(question.add)) > 0 { bad.append("add \(question.a):\(question.b)::\(question.c)") }
            if mismatches(mul, SimilarityGolden.pairs(question.mul)) > 0 { bad.append("mul \(question.a):\(question.b)::\(question.c)") }
        }
        #expect(bad.isEmpty, "\(bad.count) analogies differ: \(bad.prefix(5))")
    }

    @Test("questions-words (60 per section): overall and per-section accuracy exactly as evaluate_word_analogies")
    func analogyEvaluation() throws {
        let result = try AnalogyEvaluation(embeddings: Self.embeddings, questionsAt: TestFiles.fixture("eval/questions-words-sample.txt"))
        let expected = Self.golden.evaluate_analogies
        #expect(result.accuracy == expected.accuracy)
        let sections = expected.sections.filter { $0.name != "Total accuracy" }
        #expect(result.sections.map(\.name) == sections.map(\.name))
        #expect(result.sections.map(\.correct) == sections.map(\.correct))
        #expect(result.sections.map(\.total) == sections.map(\.total))
    }

    @Test("wordsim353: Pearson and Spearman to 4 decimals and the same OOV ratio as evaluate_word_pairs")
    func pairEvaluation() throws {
        let result = try WordPairEvaluation(embeddings: Self.embeddings, pairsAt: TestFiles.fixture("eval/wordsim353.tsv"))
        let expected = Self.golden.evaluate_pairs
        #expect(abs(result.pearson - expected.pearson) < 5e-5)
        #expect(abs(result.spearman - expected.spearman) < 5e-5)
        #expect(abs(result.oovRatio - expected.oov_ratio) < 1e-9)
    }
}
