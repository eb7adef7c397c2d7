import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing
import TextFeatures
@testable import TransferLearning

/// Fine-tune and combine read their corpus once per epoch, a chunk at a time, instead of holding it.
@Suite("Training streams its corpus: chunks, passes, held-out documents")
struct StreamedTrainingTests {
    /// A source over documents in memory that counts how often it was read and can change its
    /// documents after the first pass.
    final class CountingSource: DocumentSource {
        var documents: [LabeledDocument]
        var passes = 0
        var afterFirstPass: [LabeledDocument]?
        let path = "counted.txt"

        init(_ documents: [LabeledDocument]) { self.documents = documents }

        func forEachDocument(_ body: (LabeledDocument) throws -> Void) throws -> Int {
            passes += 1
            for document in documents { try body(document) }
            if passes == 1, let afterFirstPass { documents = afterFirstPass }
            return 0
        }
    }

    /// The bigram encoder fitted to `corpus`'s texts.
    static func encoder(fitting corpus: LabeledCorpus, embeddings: WordEmbeddings) -> TextBagEncoder {
        var fitting = TextBagEncoder.Fitting(embeddings: embeddings, tokenizer: UnicodeTokenizer(), wordNgrams: 2)
        corpus.documents.forEach { fitting.add($0.text) }
        return fitting.encoder()
    }

    func corpusFile(_ corpus: LabeledCorpus) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("streamed-\(UUID().uuidString).txt").path
        let text = corpus.documents.map { "__label__\($0.labels[0]) \($0.text)\n" }.joined()
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("a corpus file read once per epoch trains the same model as the corpus in memory", arguments: [
        TransferStrategy.fineTune(), .combine(),
    ])
    func fileEqualsMemory(strategy: TransferStrategy) throws {
        let (embeddings, _) = try TransferStrategyTests().storedEmbeddings()
        let featurizer = DocumentFeaturizer(embeddings: embeddings)
        let corpus = TransferStrategyTests.sentimentCorpus(count: 300, seed: 3)
        let path = try corpusFile(corpus)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let inMemory = try TransferModel.train(strategy, featurizer: featurizer, on: corpus)
        let streamed = try TransferModel.train(strategy, featurizer: featurizer, reading: try CorpusReader(path: path))
        let texts = TransferStrategyTests.sentimentCorpus(count: 50, seed: 4).documents.map(\.text)
        #expect(try streamed.probabilities(for: texts).matrix == inMemory.probabilities(for: texts).matrix)
        #expect(streamed.trainingDocumentCount == 300 && inMemory.trainingDocumentCount == 300)
        #expect(streamed.trainingCoverage == inMemory.trainingCoverage)
    }

    @Test("small chunks hand out every kept example once per pass; one chunk is read from the source once")
    func chunks() throws {
        let (embeddings, _) = try TransferStrategyTests().storedEmbeddings()
        let corpus = TransferStrategyTests.sentimentCorpus(count: 100, seed: 5)
        let encoder = Self.encoder(fitting: corpus, embeddings: embeddings)
        let selection = HeldOutSelection(share: 0.2, seed: 9)
        let kept = (0..<100).filter { !selection.holdsOut($0) }
        let source = CountingSource(corpus.documents)
        // Each document has 2 words, </s> and 2 bigrams: 5 ids, so an 11-id limit makes chunks of 3.
        let chunked = EncodedDocuments(source: source, encoder: encoder, labels: ["neg", "pos"], count: kept.count,
                                       heldOut: selection, idLimit: 11)
        for pass in 1...2 {
            var sizes: [Int] = [], labels: [Int] = []
            try chunked.forEachChunk { chunk in
                sizes.append(chunk.count)
                labels += chunk.labels
            }
            #expect(sizes.allSatisfy { $0 <= 3 } && sizes.reduce(0, +) == kept.count)
            #expect(labels == kept.map { corpus.documents[$0].labels[0] == "pos" ? 1 : 0 })
            #expect(source.passes == pass)
        }
        let whole = EncodedDocuments(source: CountingSource(corpus.documents), encoder: encoder, labels: ["neg", "pos"],
                                     count: 100, heldOut: nil)
        for _ in 1...3 { try whole.forEachChunk { #expect($0.count == 100) } }
        #expect((whole.source as! CountingSource).passes == 1)
    }

    @Test("training over chunks of a few examples still learns the task")
    func trainsOverChunks() throws {
        let (embeddings, _) = try TransferStrategyTests().storedEmbeddings()
        let corpus = TransferStrategyTests.sentimentCorpus(count: 400, seed: 6)
        let encoder = Self.encoder(fitting: corpus, embeddings: embeddings)
        let chunked = EncodedDocuments(source: corpus, encoder: encoder, labels: ["neg", "pos"], count: 400, heldOut: nil, idLimit: 64)
        let model = try TextBagModel.train(TextBagModel.Recipe(.fineTune())!, encoder: encoder, examples: chunked, validation: nil,
                                           embeddings: embeddings, seed: 1, progress: nil)
        let trained = TransferModel(strategy: .fineTune(), labels: ["neg", "pos"], body: model)
        #expect(try trained.evaluate(on: TransferStrategyTests.sentimentCorpus(count: 100, seed: 7)).accuracy > 0.95)
    }

    @Test("a corpus that holds other documents on a later pass is an error, not a silently different model")
    func changedCorpus() throws {
        let (embeddings, _) = try TransferStrategyTests().storedEmbeddings()
        let corpus = TransferStrategyTests.sentimentCorpus(count: 50, seed: 8)
        let source = CountingSource(corpus.documents)
        source.afterFirstPass = Array(corpus.documents.prefix(40))
        #expect(throws: TransferError.corpusChanged(path: "counted.txt")) {
            try TransferModel.train(.fineTune(), featurizer: DocumentFeaturizer(embeddings: embeddings), reading: source)
        }
    }

    @Test("a held-out selection depends on the seed and position only and holds out about its share")
    func heldOutSelection() {
        let selection = HeldOutSelection(share: 0.1, seed: 42)
        let held = (0..<20_000).filter(selection.holdsOut)
        #expect(abs(Double(held.count) / 20_000 - 0.1) < 0.01)
        #expect(held == (0..<20_000).filter(HeldOutSelection(share: 0.1, seed: 42).holdsOut))
        #expect(held != (0..<20_000).filter(HeldOutSelection(share: 0.1, seed: 43).holdsOut))
        let corpus = TransferStrategyTests.sentimentCorpus(count: 200, seed: 1)
        let parts = corpus.split(by: selection)
        #expect(parts.heldOut.documents.map(\.line) == (0..<200).filter(selection.holdsOut).map { $0 + 1 })
        #expect(parts.kept.documents.count + parts.heldOut.documents.count == 200)
    }
}

extension StreamedTrainingTests {
    @Test("a document without labels, in training or validation data, is an error, not a trap")
    func unlabelledDocument() throws {
        let (embeddings, _) = try TransferStrategyTests().storedEmbeddings()
        let featurizer = DocumentFeaturizer(embeddings: embeddings)
        var documents = TransferStrategyTests.sentimentCorpus(count: 20, seed: 1).documents
        let unlabelled = LabeledDocument(text: "good film", labels: [], line: 21)
        #expect(throws: TransferError.unknownLabel("", line: 21)) {
            try TransferModel.train(.fineTune(), featurizer: featurizer, on: LabeledCorpus(documents: documents + [unlabelled]))
        }
        documents = TransferStrategyTests.sentimentCorpus(count: 20, seed: 2).documents
        #expect(throws: TransferError.unknownLabel("", line: 21)) {
            try TransferModel.train(.combine(), featurizer: featurizer, on: LabeledCorpus(documents: documents),
                                    validation: LabeledCorpus(documents: [unlabelled]))
        }
    }
}
