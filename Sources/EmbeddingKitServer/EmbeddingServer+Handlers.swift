import EmbeddingStore
import Foundation
import Hummingbird
import TransferLearning

extension EmbeddingServer {
    // MARK: neighbours

    func neighbors(_ query: Parameters) async throws -> NeighborsAnswer {
        let (name, _) = try table(query["embeddings"].map(String.init))
        let word = try required(query, "word")
        return await neighbors(of: word, k: try k(query["k"].map(String.init)), in: name)
    }

    func neighbors(_ batch: NeighborsBatch) async throws -> BatchAnswer<NeighborsAnswer> {
        let (name, _) = try table(batch.embeddings)
        try checkBatch(batch.words.count)
        let k = try k(batch.k.map(String.init))
        return BatchAnswer(results: await withTaskGroup(of: (Int, NeighborsAnswer).self) { group in
            for (index, word) in batch.words.enumerated() { group.addTask { (index, await neighbors(of: word, k: k, in: name)) } }
            var answers = [NeighborsAnswer?](repeating: nil, count: batch.words.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers.map { $0! }
        })
    }

    private func neighbors(of word: String, k: Int, in name: String) async -> NeighborsAnswer {
        guard let found = await batchers[name]!.neighbors(of: word, k: k) else {
            return NeighborsAnswer(query: word, error: "unknown word '\(word)'")
        }
        return NeighborsAnswer(query: word, neighbors: found.map { ScoredWord(word: $0.word, similarity: $0.similarity) })
    }

    // MARK: similarity

    func similarity(_ query: Parameters) throws -> SimilarityAnswer {
        let (_, table) = try table(query["embeddings"].map(String.init))
        return similarity(try required(query, "a"), try required(query, "b"), in: table)
    }

    func similarity(_ batch: SimilarityBatch) throws -> BatchAnswer<SimilarityAnswer> {
        let (_, table) = try table(batch.embeddings)
        try checkBatch(batch.pairs.count)
        guard batch.pairs.allSatisfy({ $0.count == 2 }) else { throw HTTPError(.badRequest, message: "each pair is [a, b]") }
        return BatchAnswer(results: batch.pairs.map { similarity($0[0], $0[1], in: table) })
    }

    private func similarity(_ a: String, _ b: String, in table: WordEmbeddings) -> SimilarityAnswer {
        guard let value = table.similarity(a, b) else {
            return SimilarityAnswer(a: a, b: b, error: "unknown word '\(table.contains(a) ? b : a)'")
        }
        return SimilarityAnswer(a: a, b: b, similarity: value)
    }

    // MARK: analogy

    func analogy(_ query: Parameters) async throws -> AnalogyAnswer {
        let (_, table) = try table(query["embeddings"].map(String.init))
        let question = AnalogyBatch.Question(a: try required(query, "a"), b: try required(query, "b"), c: try required(query, "c"))
        return try await analogies([question], k: try k(query["k"].map(String.init)), method: query["method"].map(String.init), in: table)[0]
    }

    func analogy(_ batch: AnalogyBatch) async throws -> BatchAnswer<AnalogyAnswer> {
        let (_, table) = try table(batch.embeddings)
        try checkBatch(batch.questions.count)
        return BatchAnswer(results: try await analogies(batch.questions, k: try k(batch.k.map(String.init)), method: batch.method, in: table))
    }

    private func analogies(_ questions: [AnalogyBatch.Question], k: Int, method name: String?, in table: WordEmbeddings) async throws
        -> [AnalogyAnswer] {
        let method: AnalogyMethod
        switch name ?? "add" {
        case "add": method = .add
        case "mul", "multiply": method = .multiply
        default: throw HTTPError(.badRequest, message: "method must be add or mul")
        }
        let found = await offConcurrencyPool { table.analogies(questions.map { ($0.a, $0.b, $0.c) }, k: k, method: method) }
        return zip(questions, found).map { question, answer in
            var result = AnalogyAnswer(a: question.a, b: question.b, c: question.c, method: method == .add ? "add" : "mul")
            if let answer {
                result.results = answer.map { ScoredWord(word: $0.word, similarity: $0.similarity) }
            } else {
                let unknown = [question.a, question.b, question.c].first { !table.contains($0) } ?? question.a
                result.error = "unknown word '\(unknown)'"
            }
            return result
        }
    }

    // MARK: vector

    func vector(_ query: Parameters) throws -> VectorAnswer {
        let (_, table) = try table(query["embeddings"].map(String.init))
        return vector(of: try required(query, "word"), in: table)
    }

    func vector(_ batch: VectorBatch) throws -> BatchAnswer<VectorAnswer> {
        let (_, table) = try table(batch.embeddings)
        try checkBatch(batch.words.count)
        return BatchAnswer(results: batch.words.map { vector(of: $0, in: table) })
    }

    private func vector(of word: String, in table: WordEmbeddings) -> VectorAnswer {
        guard let values = table.vector(for: word) else { return VectorAnswer(word: word, error: "unknown word '\(word)'") }
        return VectorAnswer(word: word, vector: values)
    }

    // MARK: predict

    func predict(_ query: Parameters) async throws -> PredictAnswer {
        let threshold = try query["threshold"].map { text in
            guard let value = Float(String(text)) else { throw HTTPError(.badRequest, message: "threshold must be a number from 0 to 1, not '\(text)'") }
            return value
        }
        let batch = PredictBatch(model: query["model"].map(String.init), lines: [try required(query, "text")],
                                 k: try query["k"].map { try k(String($0), default: PredictBatch.defaultK) }, threshold: threshold)
        return try await predict(batch).results[0]
    }

    func predict(_ batch: PredictBatch) async throws -> BatchAnswer<PredictAnswer> {
        let model = try model(batch.model)
        try checkBatch(batch.lines.count)
        let k = try k(batch.k.map(String.init), default: PredictBatch.defaultK), threshold = batch.threshold ?? 0
        guard (0...1).contains(threshold) else { throw HTTPError(.badRequest, message: "threshold must be a probability, 0 to 1") }
        if let long = batch.lines.firstIndex(where: { $0.utf8.count > limits.maximumLineBytes }) {
            throw HTTPError(.contentTooLarge, message: "line \(long + 1) is longer than \(limits.maximumLineBytes) bytes")
        }
        let lines = batch.lines
        let predictions = try await offConcurrencyPool { try model.predict(lines, k: k, threshold: threshold) }
        return BatchAnswer(results: predictions.map { labels in
            PredictAnswer(labels: labels.map { PredictAnswer.Label(label: $0.label, probability: $0.probability) })
        })
    }

    // MARK: encode

    func encode(_ query: Parameters) async throws -> EncodeAnswer {
        try await encode(EncodeBatch(encoder: query["encoder"].map(String.init), texts: [try required(query, "text")])).results[0]
    }

    func encode(_ batch: EncodeBatch) async throws -> BatchAnswer<EncodeAnswer> {
        let encoder = try named(batch.encoder, in: encoders, what: "encoder").1
        try checkBatch(batch.texts.count)
        if let long = batch.texts.firstIndex(where: { $0.utf8.count > limits.maximumLineBytes }) {
            throw HTTPError(.contentTooLarge, message: "text \(long + 1) is longer than \(limits.maximumLineBytes) bytes")
        }
        let texts = batch.texts
        let embeddings = try await offConcurrencyPool { try encoder.encode(texts) }
        return BatchAnswer(results: texts.indices.map { row in
            EncodeAnswer(text: texts[row], embedding: embeddings.withRow(row) { Array($0) })
        })
    }

    // MARK: shared checks

    /// The table `name` names, or the only one.
    private func table(_ name: String?) throws -> (String, WordEmbeddings) {
        try named(name, in: embeddings, what: "embeddings")
    }

    private func model(_ name: String?) throws -> TransferModel {
        try named(name, in: models, what: "model").1
    }

    private func named<Value>(_ name: String?, in values: [String: Value], what: String) throws -> (String, Value) {
        if let name {
            guard let value = values[name] else {
                throw HTTPError(.notFound, message: "no \(what) named '\(name)' (loaded: \(values.keys.sorted().joined(separator: ", ")))")
            }
            return (name, value)
        }
        guard values.count == 1, let only = values.first else {
            throw HTTPError(.badRequest, message: values.isEmpty ? "no \(what) loaded" : "name the \(what): one of \(values.keys.sorted().joined(separator: ", "))")
        }
        return (only.key, only.value)
    }

    private func required(_ query: Parameters, _ name: String) throws -> String {
        guard let value = query[Substring(name)], !value.isEmpty else { throw HTTPError(.badRequest, message: "missing query parameter '\(name)'") }
        return String(value)
    }

    /// `k` from a request (`fallback` when absent: 10 neighbours or analogies, as the CLI's
    /// `neighbors`; 1 label, as `embkit predict`), within 1…`maximumK`.
    private func k(_ text: String?, default fallback: Int = 10) throws -> Int {
        guard let text else { return fallback }
        guard let value = Int(text), (1...limits.maximumK).contains(value) else {
            throw HTTPError(.badRequest, message: "k must be a whole number from 1 to \(limits.maximumK), not '\(text)'")
        }
        return value
    }

    private func checkBatch(_ count: Int) throws {
        guard count <= limits.maximumBatch else {
            throw HTTPError(.contentTooLarge, message: "\(count) items in one request; at most \(limits.maximumBatch)")
        }
    }

}

/// Runs blocking work (a scan, a prediction batch) on a global dispatch queue, so it does not hold
/// one of Swift concurrency's threads, which serve the requests.
func offConcurrencyPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// `offConcurrencyPool` for work that cannot fail.
func offConcurrencyPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}
