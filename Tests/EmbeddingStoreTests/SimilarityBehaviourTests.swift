import Foundation
import Testing

@testable import EmbeddingStore

@Suite("Similarity queries: storage kinds, restriction, odd-one-out, ranks")
struct SimilarityBehaviourTests {
    static let glove = SimilarityAgreementTests.embeddings

    @Test("word2vec binary in place, native and parsed text give the same neighbours")
    func storageKinds() throws {
        let small = Self.glove.prefix(rows: 3000)
        let folder = try TestFiles.scratchFolder()
        let words = ["king", "water", "french", "computer", "run"]
        let expected = small.nearestNeighbors(ofWords: words, k: 10)
        for (format, name) in [(EmbeddingFormat.word2vecBinary, "g.bin"), (.native, "g.ekv")] {
            let path = folder.appendingPathComponent(name).path
            try VectorFileWriter.write(small, to: path, as: format)
            let reopened = try WordEmbeddings(contentsOf: path)
            // Different kernels (matrix product, matrix×vector, row dots) round differently.
            for (ours, theirs) in zip(reopened.nearestNeighbors(ofWords: words, k: 10), expected) {
                #expect(ours!.map(\.word) == theirs!.map(\.word), "\(format)")
                #expect(zip(ours!, theirs!).allSatisfy { abs($0.similarity - $1.similarity) < 1e-6 }, "\(format)")
            }
            #expect(reopened.analogy(a: "man", b: "king", c: "woman", method: .multiply)!.map(\.word)
                == small.analogy(a: "man", b: "king", c: "woman", method: .multiply)!.map(\.word), "\(format)")
        }
    }

    @Test("restricting the vocabulary searches only the first rows; unknown words give nil")
    func restriction() {
        let neighbors = Self.glove.nearestNeighbors(of: "king", k: 5, restrictVocabulary: 500)!
        #expect(neighbors.allSatisfy { Self.glove.index(of: $0.word)! < 500 })
        #expect(Self.glove.nearestNeighbors(of: "no-such-word-xyz") == nil)
        #expect(Self.glove.similarity("king", "no-such-word-xyz") == nil)
        #expect(Self.glove.analogy(a: "man", b: "king", c: "no-such-word-xyz") == nil)
    }

    @Test("a vector query excludes the words asked to, and a word's own vector finds it first")
    func vectorQuery() {
        let king = Self.glove.vector(for: "king")!
        #expect(Self.glove.nearestNeighbors(of: king, k: 1).first?.word == "king")
        let excluded = Self.glove.nearestNeighbors(of: king, k: 3, excluding: ["king"])
        #expect(!excluded.contains { $0.word == "king" } && excluded.count == 3)
    }

    @Test("doesntMatch finds the odd word, ignoring unknown ones")
    func oddOneOut() {
        #expect(Self.glove.doesntMatch(["breakfast", "cereal", "dinner", "lunch"]) == "cereal")
        #expect(Self.glove.doesntMatch(["zzzzqq"]) == nil)
    }

    @Test("ranks share their average on ties; Pearson of a line is 1")
    func statistics() {
        #expect(Statistics.ranks([3, 1, 3, 2]) == [3.5, 1, 3.5, 2])
        #expect(abs(Statistics.pearson([1, 2, 3], [2, 4, 6]) - 1) < 1e-12)
    }
}
