import Dispatch
import EmbeddingStore
import Foundation
import Synchronization
import LinearAlgebra
import Testing
import TextFeatures
import TransferLearning

/// One `WordEmbeddings` and one model shared by many threads: every concurrent answer equals the
/// one computed alone (run under ThreadSanitizer with `swift test --sanitize=thread --filter ConcurrencyStress`).
@Suite("concurrent queries and predictions give the single-threaded answers")
struct ConcurrencyStressTests {
    /// 1,000 random 16-dimensional vectors in a mapped native file.
    static func embeddings() throws -> WordEmbeddings {
        var generator = SplitMix64(seed: 42)
        let words = (0..<1_000).map { "w\($0)" }
        let vectors = words.map { _ in (0..<16).map { _ in Float(generator.next() % 2001) / 1000 - 1 } }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("stress-\(UUID().uuidString).ekv").path
        try VectorFileWriter.write(WordEmbeddings(words: words, vectors: vectors, dimensions: 16), to: path, as: .native)
        // The mapping outlives the file's name: nothing is left in the temporary folder.
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try WordEmbeddings(contentsOf: path)
    }

    /// Everything one query asks, as text (so answers compare exactly).
    static func answer(_ embeddings: WordEmbeddings, _ index: Int) -> String {
        let word = "w\(index % 1_000)", other = "w\((index * 7 + 1) % 1_000)", third = "w\((index * 13 + 2) % 1_000)"
        let neighbors = embeddings.nearestNeighbors(of: word, k: 5, parallelism: .serial) ?? []
        let analogy = embeddings.analogy(a: word, b: other, c: third, k: 3, parallelism: .serial) ?? []
        return "\(neighbors) \(String(describing: embeddings.similarity(word, other))) \(analogy)"
    }

    @Test("16 threads × 100 neighbour, similarity and analogy queries on one mapped file")
    func queries() throws {
        let embeddings = try Self.embeddings()
        let expected = (0..<100).map { Self.answer(embeddings, $0) }
        let mismatches = Mutex(0)
        DispatchQueue.concurrentPerform(iterations: 16) { thread in
            for step in 0..<100 {
                let index = (step * 31 + thread * 97) % 100
                if Self.answer(embeddings, index) != expected[index] { mismatches.withLock { $0 += 1 } }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
        // Batched queries on all cores from many threads at once give the same neighbours too.
        let batch = (0..<64).map { "w\($0)" }
        let alone = embeddings.nearestNeighbors(ofWords: batch, k: 5).map { "\(String(describing: $0))" }
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            if embeddings.nearestNeighbors(ofWords: batch, k: 5).map({ "\(String(describing: $0))" }) != alone {
                mismatches.withLock { $0 += 1 }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
    }

    @Test("16 threads predicting with one fine-tuned model and one fixed-features model")
    func predictions() throws {
        let embeddings = try Self.embeddings()
        var generator = SplitMix64(seed: 7)
        let documents = (0..<600).map { line in
            let label = Int(generator.next() % 3)
            let words = (0..<6).map { _ in "w\(Int(generator.next() % 300) + 300 * label)" }
            return LabeledDocument(text: words.joined(separator: " "), labels: ["c\(label)"], line: line + 1)
        }
        let corpus = LabeledCorpus(documents: documents)
        let featurizer = DocumentFeaturizer(embeddings: embeddings, tokenizer: WhitespaceTokenizer())
        let models = [try TransferModel.train(.fineTune(), featurizer: featurizer, on: corpus),
                      try TransferModel.train(.fixedFeatures, featurizer: featurizer, on: corpus)]
        let texts = documents.prefix(200).map(\.text)
        for model in models {
            let expected = try texts.map { "\(try model.predict($0, k: 2))" }
            let mismatches = Mutex(0)
            DispatchQueue.concurrentPerform(iterations: 16) { thread in
                for step in 0..<200 {
                    let index = (step * 17 + thread * 5) % texts.count
                    if (try? "\(model.predict(texts[index], k: 2))") != expected[index] { mismatches.withLock { $0 += 1 } }
                }
            }
            #expect(mismatches.withLock { $0 } == 0, "\(model.strategy)")
        }
    }
}
