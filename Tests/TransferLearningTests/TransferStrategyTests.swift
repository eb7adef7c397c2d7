import EmbeddingStore
import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing
import TextFeatures
import TransferLearning

@Suite("Fine-tune, combine and auto: learning, freezing, reproducibility and model files for every strategy")
struct TransferStrategyTests {
    /// Eight pre-trained words; `xq1`/`xq2` (no vector) decide the class in `oovCorpus`.
    static let words = ["great", "good", "fine", "bad", "awful", "dull", "film", "plot"]
    static let vectors: [[Float]] = [[1, 0.1], [0.9, 0], [0.8, 0.2], [0, 1], [0.1, 0.9], [0.2, 0.8], [0.5, 0.5], [0.4, 0.6]]

    func scratch(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("strategy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent(name).path
    }

    /// The embeddings written to a native file and opened from it (so models can reference it).
    func storedEmbeddings() throws -> (WordEmbeddings, String) {
        let path = try scratch("vectors.ekv")
        try VectorFileWriter.write(WordEmbeddings(words: Self.words, vectors: Self.vectors, dimensions: 2), to: path, as: .native)
        return (try WordEmbeddings(contentsOf: path), path)
    }

    /// `count` documents: a sentiment word picks the class, plus a neutral word.
    static func sentimentCorpus(count: Int, seed: UInt64) -> LabeledCorpus {
        var generator = SplitMix64(seed: seed)
        return LabeledCorpus(documents: (0..<count).map { line in
            let positive = generator.next() % 2 == 0
            let word = (positive ? ["great", "good", "fine"] : ["bad", "awful", "dull"])[Int(generator.next() % 3)]
            return LabeledDocument(text: "\(word) \(["film", "plot"][Int(generator.next() % 2)])", labels: [positive ? "pos" : "neg"],
                                   line: line + 1)
        })
    }

    /// `count` documents whose class only a word without a pre-trained vector tells.
    static func oovCorpus(count: Int, seed: UInt64) -> LabeledCorpus {
        var generator = SplitMix64(seed: seed)
        return LabeledCorpus(documents: (0..<count).map { line in
            let first = generator.next() % 2 == 0
            let filler = words[Int(generator.next() % 8)]
            return LabeledDocument(text: "\(filler) \(first ? "xq1" : "xq2") film", labels: [first ? "a" : "b"], line: line + 1)
        })
    }

    static let strategies: [TransferStrategy] = {
        var head = FineTuning()
        head.trainable = .headOnly
        var mlp = FineTuning()
        mlp.hiddenLayers = [6]
        var combination = Combination()
        combination.hiddenLayers = [6]
        return [.fixedFeatures, .fineTune(), .fineTune(head), .fineTune(mlp), .combine(combination)]
    }()

    @Test("every strategy learns the task, and its model file predicts the same, by reference and self-contained",
          arguments: strategies)
    func roundTrip(strategy: TransferStrategy) throws {
        let (embeddings, _) = try storedEmbeddings()
        let featurizer = DocumentFeaturizer(embeddings: embeddings)
        let model = try TransferModel.train(strategy, featurizer: featurizer, on: Self.sentimentCorpus(count: 400, seed: 1))
        let test = Self.sentimentCorpus(count: 100, seed: 2)
        #expect(try model.evaluate(on: test).accuracy > 0.95, "\(strategy.kind)")
        let texts = test.documents.map(\.text) + ["great xq1 film", "", "unknown words only"]
        for storage in [TransferModel.EmbeddingStorage.reference, .selfContained] {
            let path = try scratch("model.ekm")
            try model.write(to: path, embeddings: storage)
            let reloaded = try TransferModel(contentsOf: path)
            #expect(reloaded.strategy == model.strategy && reloaded.labels == model.labels)
            #expect(try reloaded.probabilities(for: texts).matrix == model.probabilities(for: texts).matrix, "\(strategy.kind) \(storage)")
            // A model read self-contained writes itself self-contained again, the same.
            let again = try scratch("again.ekm")
            try reloaded.write(to: again, embeddings: .selfContained)
            #expect(try TransferModel(contentsOf: again).probabilities(for: texts).matrix == model.probabilities(for: texts).matrix)
        }
    }

    @Test("fine-tune with a trainable head only leaves every pre-trained row byte-identical; with embeddings it changes them")
    func freezing() throws {
        let (embeddings, path) = try storedEmbeddings()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        var settings = FineTuning()
        settings.trainable = .headOnly
        let frozen = try TransferModel.train(.fineTune(settings), featurizer: DocumentFeaturizer(embeddings: embeddings),
                                             on: Self.sentimentCorpus(count: 200, seed: 3))
        guard let model = frozen.body as? TextBagModel, let rows = model.parts.bag.frozenRows, model.parts.baseTable == nil else {
            Issue.record("head-only fine-tuning must leave a frozen base")
            return
        }
        for row in 0..<rows.count {
            let word = model.encoder.vocabulary.word(at: row)
            let stored = rows.withRow(at: row) { pointer in (0..<2).map { pointer.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
            #expect(stored == embeddings.vector(for: word)!)
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)

        let tuned = try TransferModel.train(.fineTune(), featurizer: DocumentFeaturizer(embeddings: embeddings),
                                            on: Self.sentimentCorpus(count: 200, seed: 3))
        guard let trained = tuned.body as? TextBagModel, let base = trained.parts.baseTable else {
            Issue.record("fine-tuning embeddings must leave a trainable base")
            return
        }
        let changed = trained.network.parameters[base].value.matrix
        #expect((0..<changed.rows).contains { row in
            changed.row(row).elementsEqual(embeddings.vector(for: trained.encoder.vocabulary.word(at: row))!) == false
        })
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("the same seed gives the same model file, byte for byte")
    func sameSeedSameBytes() throws {
        let (embeddings, _) = try storedEmbeddings()
        var files: [Data] = []
        for _ in 0..<2 {
            let model = try TransferModel.train(.fineTune(), featurizer: DocumentFeaturizer(embeddings: embeddings),
                                                on: Self.oovCorpus(count: 300, seed: 5), seed: 11)
            let path = try scratch("model.ekm")
            try model.write(to: path)
            files.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(files[0] == files[1])
    }

    @Test("auto picks fixed features for a tiny corpus and fine-tuning for a large one whose signal only fine-tuning can learn")
    func auto() throws {
        let (embeddings, _) = try storedEmbeddings()
        let featurizer = DocumentFeaturizer(embeddings: embeddings)
        let tiny = try StrategyAdvisor().train(featurizer: featurizer, on: Self.sentimentCorpus(count: 40, seed: 1))
        #expect(tiny.strategy == .fixedFeatures && tiny.advice?.chosen == .fixedFeatures)

        let large = try StrategyAdvisor().train(featurizer: featurizer, on: Self.oovCorpus(count: 1_500, seed: 2))
        #expect(large.strategy.kind == .fineTune, "\(String(describing: large.advice))")
        let advice = try #require(large.advice)
        #expect(advice.tokenCoverage < 0.8 && advice.heldOutAccuracy["fine-tune top"] == nil)
        #expect(advice.heldOutAccuracy["fine-tune all"]! > advice.heldOutAccuracy["fixed-features"]! + 0.3)
        #expect(try large.evaluate(on: Self.oovCorpus(count: 200, seed: 3)).accuracy > 0.95)

        let path = try scratch("auto.ekm")
        try large.write(to: path)
        #expect(try TransferModel(contentsOf: path).advice == advice)
    }

    @Test("with character n-grams a word training never saw still counts through the n-grams it shares; without, it cannot")
    func characterNgrams() throws {
        let (embeddings, _) = try storedEmbeddings()
        var generator = SplitMix64(seed: 4)
        // The class is told only by made-up words: zzgoodN or zzbadN; test words use unseen N.
        func corpus(_ numbers: Range<Int>, count: Int) -> LabeledCorpus {
            LabeledCorpus(documents: (0..<count).map { line in
                let positive = generator.next() % 2 == 0, number = numbers.lowerBound + Int(generator.next() % UInt64(numbers.count))
                return LabeledDocument(text: "film \(positive ? "zzgood" : "zzbad")\(number)", labels: [positive ? "pos" : "neg"], line: line + 1)
            })
        }
        let train = corpus(0..<40, count: 400), test = corpus(100..<140, count: 200)
        var settings = FineTuning()
        settings.characterNgrams = 3...5
        let withGrams = try TransferModel.train(.fineTune(settings), featurizer: DocumentFeaturizer(embeddings: embeddings), on: train)
        let without = try TransferModel.train(.fineTune(), featurizer: DocumentFeaturizer(embeddings: embeddings), on: train)
        #expect(try withGrams.evaluate(on: test).accuracy > 0.95)
        #expect(try without.evaluate(on: test).accuracy < 0.7)
        let path = try scratch("grams.ekm")
        try withGrams.write(to: path)
        #expect(try TransferModel(contentsOf: path).probabilities(for: ["film zzgood777"]).matrix
                == withGrams.probabilities(for: ["film zzgood777"]).matrix)
    }

    @Test("a model file with any byte changed is refused, naming the damaged section")
    func damagedFile() throws {
        let (embeddings, _) = try storedEmbeddings()
        let model = try TransferModel.train(.fineTune(), featurizer: DocumentFeaturizer(embeddings: embeddings),
                                            on: Self.sentimentCorpus(count: 100, seed: 1))
        let path = try scratch("model.ekm")
        try model.write(to: path, embeddings: .selfContained)
        let original = try Data(contentsOf: URL(fileURLWithPath: path))
        for offset in stride(from: 0, to: original.count, by: max(1, original.count / 97)) {
            var damaged = original
            damaged[offset] ^= 0x01
            try damaged.write(to: URL(fileURLWithPath: path))
            do {
                _ = try TransferModel(contentsOf: path)
                Issue.record("byte \(offset) changed and the model still loaded")
            } catch {
                #expect(error is ModelFileError, "byte \(offset): \(error)")
            }
        }
        try original.prefix(original.count - 3).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError.self) { try TransferModel(contentsOf: path) }
    }

    @Test("fine-tune trains by lazy Adam below the small-corpus size and by SGD above; the model records which")
    func smallCorpusRule() throws {
        let (embeddings, _) = try storedEmbeddings()
        let featurizer = DocumentFeaturizer(embeddings: embeddings)
        let corpus = Self.sentimentCorpus(count: 400, seed: 1)
        var large = FineTuning()
        large.smallCorpus?.documents = 100
        for (settings, optimizer, rate) in [(FineTuning(), BagOptimizer.adam, Float(0.01)), (large, .sgd, 0.2)] {
            let model = try TransferModel.train(.fineTune(settings), featurizer: featurizer, on: corpus)
            guard case .fineTune(let used) = model.strategy else { Issue.record("not fine-tune"); continue }
            #expect(used.training.optimizer == optimizer && used.training.learningRate == rate && used.smallCorpus == nil)
            #expect(try model.evaluate(on: Self.sentimentCorpus(count: 100, seed: 2)).accuracy > 0.95, "\(optimizer)")
            let path = try scratch("rule.ekm")
            try model.write(to: path)
            #expect(try TransferModel(contentsOf: path).strategy == model.strategy)
        }
    }

    @Test("settings written before the optimizer and the small-corpus rule existed read as SGD without the rule")
    func olderSettings() throws {
        var fineTuning = FineTuning()
        fineTuning.smallCorpus = nil
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(fineTuning)) as! [String: Any]
        var training = json["training"] as! [String: Any]
        training["optimizer"] = nil
        json["training"] = training
        let older = try JSONDecoder().decode(FineTuning.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(older.training.optimizer == .sgd && older.smallCorpus == nil && older == fineTuning)
    }
}
