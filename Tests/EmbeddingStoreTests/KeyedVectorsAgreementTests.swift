import EmbeddingStore
import Foundation
import Testing

/// gensim 4.4.0's KeyedVectors conveniences on the shipped GloVe subset
/// (Fixtures/make_keyedvectors_golden.py).
private struct KeyedVectorsGolden: Decodable {
    struct MostSimilar: Decodable { let positive: [String], negative: [String], result: [[SimilarityGolden.Answer]] }
    struct PairValue: Decodable { let pair: [String], value: Double }
    struct SetsValue: Decodable { let first: [String], second: [String], value: Double }
    struct PairRank: Decodable { let pair: [String], value: Int }
    struct Closer: Decodable { let pair: [String], words: [String] }
    let most_similar: [MostSimilar]
    let distance: [PairValue]
    let n_similarity: [SetsValue]
    let rank: [PairRank]
    let closer_than: [Closer]
}

@Suite("KeyedVectors conveniences agree with gensim 4.4.0 on GloVe 6B 50d (first 20,000 words)")
struct KeyedVectorsAgreementTests {
    private static let golden = try! JSONDecoder().decode(KeyedVectorsGolden.self, from: Data(
        contentsOf: TestFiles.fixtures.appendingPathComponent("golden/keyedvectors-glove20k.json")))
    let embeddings = SimilarityAgreementTests.embeddings

    @Test func mostSimilarWithPositiveAndNegativeWords() {
        for query in Self.golden.most_similar {
            let theirs = SimilarityGolden.pairs(query.result)
            let ours = embeddings.mostSimilar(positive: query.positive, negative: query.negative, k: 10)
            #expect(SimilarityAgreementTests().mismatches(ours, theirs) == 0, "\(query.positive) − \(query.negative): \(String(describing: ours))")
        }
        #expect(embeddings.mostSimilar(positive: ["king", "no-such-word"]) == nil)
        #expect(embeddings.mostSimilar(positive: []) == nil)
    }

    @Test func distanceNSimilarityRankAndCloserThan() throws {
        for entry in Self.golden.distance {
            #expect(abs(Double(try #require(embeddings.distance(entry.pair[0], entry.pair[1]))) - entry.value) < 1e-5, "\(entry.pair)")
        }
        for entry in Self.golden.n_similarity {
            #expect(abs(Double(try #require(embeddings.nSimilarity(entry.first, entry.second))) - entry.value) < 1e-5, "\(entry.first)")
        }
        for entry in Self.golden.rank {
            #expect(embeddings.rank(of: entry.pair[1], from: entry.pair[0]) == entry.value, "\(entry.pair)")
        }
        for entry in Self.golden.closer_than {
            #expect(embeddings.closerThan(entry.pair[0], entry.pair[1]) == entry.words, "\(entry.pair)")
        }
        #expect(embeddings["king"] == embeddings.vector(for: "king") && embeddings["no-such-word"] == nil)
    }
}
