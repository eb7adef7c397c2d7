import EmbeddingStore
import Foundation
import LinearAlgebra
import Testing
import TextFeatures

@Suite("DocumentFeaturizer pools, weights and normalises word vectors")
struct DocumentFeaturizerTests {
    static let embeddings = WordEmbeddings(words: ["good", "bad", "film"], vectors: [[1, 0], [0, 1], [2, 2]], dimensions: 2)

    func featurizer(_ settings: FeaturizerSettings) -> DocumentFeaturizer {
        DocumentFeaturizer(embeddings: Self.embeddings, tokenizer: UnicodeTokenizer(), settings: settings)
    }

    @Test("mean, max and mean-max pooling, with coverage")
    func pooling() throws {
        let (mean, coverage) = try featurizer(FeaturizerSettings(pooling: .mean)).features(for: "Good film, unknown")
        #expect(mean == [1.5, 1] && coverage == 0.5)
        #expect(try featurizer(FeaturizerSettings(pooling: .max)).features(for: "good bad").features == [1, 1])
        #expect(try featurizer(FeaturizerSettings(pooling: .meanAndMax)).features(for: "good film").features == [1.5, 1, 2, 2])
    }

    @Test("a document with no known word gives zeros, never NaN; normalisation gives unit length")
    func emptyAndNormalized() throws {
        let (features, coverage) = try featurizer(FeaturizerSettings(normalize: true)).features(for: "zzz qqq")
        #expect(features == [0, 0] && coverage == 0)
        let unit = try featurizer(FeaturizerSettings(normalize: true)).features(for: "film").features
        #expect(abs(unit[0] - 0.70710677) < 1e-6 && abs(unit[1] - 0.70710677) < 1e-6)
        #expect(try featurizer(FeaturizerSettings()).features(for: "").coverage == 1)
    }

    @Test("unknown words fail under the fail policy")
    func failPolicy() {
        #expect(throws: FeaturizerError.unknownWord("zzz")) {
            try featurizer(FeaturizerSettings(unknownWords: .fail)).features(for: "good zzz")
        }
    }

    @Test("a feature matrix is the same on any number of threads; a failure names the first bad text")
    func featureMatrixThreads() throws {
        let words = ["good", "bad", "film", "zzz", "qqq"]
        let texts = (0..<5_000).map { index in (0..<(index % 7)).map { words[(index + $0) % 3] }.joined(separator: " ") }
        let serial = try featurizer(FeaturizerSettings()).featureMatrix(for: texts, parallelism: .serial)
        let parallel = try featurizer(FeaturizerSettings()).featureMatrix(for: texts, parallelism: Parallelism(threadCount: 3))
        #expect(serial.features == parallel.features && serial.coverage == parallel.coverage)
        var bad = texts
        bad[4_000] = "good qqq"
        bad[1_200] = "zzz film"
        #expect(throws: FeaturizerError.unknownWord("zzz")) {
            try featurizer(FeaturizerSettings(unknownWords: .fail)).featureMatrix(for: bad, parallelism: Parallelism(threadCount: 3))
        }
        #expect(try featurizer(FeaturizerSettings()).featureMatrix(for: []).features.rows == 0)
    }

    @Test("tf-idf weighs rare words up; SIF weighs frequent words down")
    func weighting() throws {
        let texts = ["good film", "good film", "bad film"]
        let tfidf = featurizer(FeaturizerSettings(weighting: .tfidf)).fitted(on: texts)
        // idf(good) = ln(4/3)+1, idf(bad) = ln(4/2)+1, idf(film) = ln(4/4)+1 = 1.
        let good = Float(log(4.0 / 3.0) + 1), bad = Float(log(2.0) + 1)
        let features = try tfidf.features(for: "good bad").features
        #expect(abs(features[0] - good / (good + bad)) < 1e-6 && abs(features[1] - bad / (good + bad)) < 1e-6)
        let sif = featurizer(FeaturizerSettings(weighting: .sif)).fitted(on: texts)
        #expect(sif.wordWeights["film"]! < sif.wordWeights["bad"]!)
    }
}

@Suite("The subwords policy uses fastText n-gram vectors for unknown words")
struct SubwordFeaturizerTests {
    static var toyModel: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("EmbeddingStoreTests/Fixtures/toy-model.bin").path
    }

    @Test("an unknown word contributes its n-gram vector and counts as covered; skip leaves it out")
    func subwords() throws {
        let embeddings = try WordEmbeddings(contentsOf: Self.toyModel)
        let subwords = DocumentFeaturizer(embeddings: embeddings, tokenizer: WhitespaceTokenizer(),
                                          settings: FeaturizerSettings(unknownWords: .subwords))
        let (features, coverage) = try subwords.features(for: "xyzzy")
        #expect(coverage == 1 && features == embeddings.vector(for: "xyzzy"))
        let skipping = DocumentFeaturizer(embeddings: embeddings, tokenizer: WhitespaceTokenizer())
        #expect(try skipping.features(for: "xyzzy").coverage == 0)
        let glove = WordEmbeddings(words: ["a"], vectors: [[1, 2]], dimensions: 2)
        #expect(try DocumentFeaturizer(embeddings: glove, settings: FeaturizerSettings(unknownWords: .subwords))
            .features(for: "zzz").coverage == 0)
    }

    @Test("composed vocabulary rows and n-gram vectors give the same matrix on several threads")
    func subwordsOnThreads() throws {
        let embeddings = try WordEmbeddings(contentsOf: Self.toyModel)
        let featurizer = DocumentFeaturizer(embeddings: embeddings, tokenizer: WhitespaceTokenizer(),
                                            settings: FeaturizerSettings(unknownWords: .subwords))
        let words = (0..<embeddings.count).map { embeddings.vocabulary.word(at: $0) } + ["xyzzy", "Ñandú", "кошка"]
        let texts = (0..<3_000).map { index in (0..<5).map { words[(index * 7 + $0 * 13) % words.count] }.joined(separator: " ") }
        let serial = try featurizer.featureMatrix(for: texts, parallelism: .serial)
        // A fresh copy, so its vocabulary rows are composed for the first time by the threads.
        let fresh = DocumentFeaturizer(embeddings: try WordEmbeddings(contentsOf: Self.toyModel), tokenizer: WhitespaceTokenizer(),
                                       settings: FeaturizerSettings(unknownWords: .subwords))
        let parallel = try fresh.featureMatrix(for: texts, parallelism: Parallelism(threadCount: 3))
        #expect(serial.features == parallel.features && serial.coverage == parallel.coverage)
    }
}
