import EmbeddingStore
import Foundation
import LinearAlgebra
import LinearAlgebraKernels

/// `embkit-bench neighbors`: exact top-10 cosine queries on the synthetic 1M × 300 set (native,
/// mapped) against a plain streaming read of the matrix, gensim `most_similar` and numpy brute
/// force (single and batched by 256), all in the same run; and the whole analogy evaluation on
/// GloVe 400k × 50 against gensim's `evaluate_word_analogies`.
///
/// Options: `--rows N` (1,000,000), `--dimensions D` (300), `--data DIR` (as for `load`),
/// `--glove PATH` and `--questions PATH` (the full GloVe 6B 50d and questions-words.txt; that part
/// is skipped without them), `--no-peers`.
enum NeighborsBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let rows = options.integer("--rows", default: 1_000_000)
        let dimensions = options.integer("--dimensions", default: 300)
        let folder = options.string("--data", default: "/tmp/embkit-bench-data")
        let peers = !options.flag("--no-peers")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        report(Measurement.machineDescription())
        let binary = "\(folder)/synthetic-\(rows)x\(dimensions).bin", native = "\(folder)/synthetic-\(rows)x\(dimensions).ekv"
        try SyntheticVectors.writeBinary(rows: rows, dimensions: dimensions, to: binary)
        if !FileManager.default.fileExists(atPath: native) {
            try VectorFileWriter.write(try WordEmbeddings(contentsOf: binary), to: native, as: .native)
        }
        let embeddings = try WordEmbeddings(contentsOf: native)
        let queries = (0..<256).map { SyntheticVectors.word($0 * 3 + 1) }
        _ = embeddings.nearestNeighbors(of: queries[0], k: 10)  // touch every page once

        report("\n## top-10 neighbours, \(rows) × \(dimensions) native file (mapped)")
        let read = Measurement.medianSeconds(repetitions: 5) {
            embeddings.withRow(at: 0) { first in
                let base = SharedReadOnlyPointer(base: first)
                Parallelism.available.forEachChunk(of: rows, minimumChunkSize: 65_536) { chunk in
                    blackHole(ek_sum(InstructionSet.detected.kernelValue, base.base + chunk.lowerBound * dimensions * 4,
                                     chunk.count * dimensions))
                }
            }
        }
        let (single, batched) = queryTimes(embeddings, queries, singleRepetitions: 1, batchedRepetitions: 3)
        report("streaming read of the matrix: \(format(read * 1e3, 1)) ms")
        report("EmbeddingKit single query: \(format(single * 1e3, 1)) ms (\(format(single / read, 2))× the streaming read; target ≤ 1.3)")
        report("EmbeddingKit batched by 256: \(format(batched * 1e3, 2)) ms/query")
        if peers {
            let gensim = try ProcessMeasurement.run(["python3", "-c", gensimQueries(binary, queries)])
            let numpy = try ProcessMeasurement.run(["python3", "-c", numpyQueries(binary, rows, dimensions, queries)])
            let gensimSingle = Double(gensim.output.trimmingCharacters(in: .whitespacesAndNewlines))! / 1e3
            let numpyTimes = numpy.output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            report("gensim most_similar: \(format(gensimSingle * 1e3, 1)) ms/query → EmbeddingKit \(format(gensimSingle / single, 2))× faster (target ≥ 1.5)")
            report("numpy brute force: single \(format(numpyTimes[0], 1)) ms/query, batched by 256 \(format(numpyTimes[1], 2)) ms/query "
                + "→ EmbeddingKit batched \(format(numpyTimes[1] / 1e3 / batched, 2))× numpy's throughput (target ≥ 2)")
        }

        let glove = options.string("--glove", default: ""), questions = options.string("--questions", default: "")
        guard !glove.isEmpty, !questions.isEmpty else {
            report("\n(analogy evaluation skipped: pass --glove glove.6B.50d.txt[.gz] --questions questions-words.txt)")
            return
        }
        report("\n## evaluate analogies, \(questions) on \(glove)")
        let vectors = try WordEmbeddings(contentsOf: glove)
        var evaluation: AnalogyEvaluation?
        let ours = Measurement.medianSeconds(repetitions: 1) {
            evaluation = try! AnalogyEvaluation(embeddings: vectors, questionsAt: questions)
        }
        report("EmbeddingKit: \(format(ours, 2)) s, accuracy \(format(evaluation!.accuracy, 4)) "
            + "(\(evaluation!.correct)/\(evaluation!.total), \(evaluation!.skipped) skipped)")
        if peers {
            let gensim = try ProcessMeasurement.run(["python3", "-c", gensimEvaluation(glove, questions)])
            let parts = gensim.output.split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            report("gensim evaluate_word_analogies: \(format(parts[0], 2)) s, accuracy \(format(parts[1], 4)) "
                + "→ EmbeddingKit \(format(parts[0] / ours, 1))× faster (target ≥ 5)")
        }
    }

    /// Seconds per top-10 query: one at a time (median of `singleRepetitions` runs of 20 queries)
    /// and all `queries` in one batch (median of `batchedRepetitions`).
    static func queryTimes(_ embeddings: WordEmbeddings, _ queries: [String], singleRepetitions: Int, batchedRepetitions: Int)
        -> (single: Double, batched: Double) {
        let single = Measurement.medianSeconds(repetitions: singleRepetitions) {
            for query in queries.prefix(20) { blackHole(embeddings.nearestNeighbors(of: query, k: 10)) }
        } / 20
        let batched = Measurement.medianSeconds(repetitions: batchedRepetitions) {
            blackHole(embeddings.nearestNeighbors(ofWords: queries, k: 10))
        } / Double(queries.count)
        return (single, batched)
    }

    static func pythonList(_ words: [String]) -> String { "[" + words.map { "'\($0)'" }.joined(separator: ",") + "]" }

    /// Prints gensim's mean milliseconds per `most_similar(word, topn=10)` over 20 queries.
    static func gensimQueries(_ path: String, _ queries: [String]) -> String {
        """
        import time
        from gensim.models import KeyedVectors
        kv = KeyedVectors.load_word2vec_format('\(path)', binary=True)
        kv.most_similar('\(queries[0])', topn=10)
        start = time.perf_counter()
        for word in \(pythonList(Array(queries.prefix(20)))):
            kv.most_similar(word, topn=10)
        print((time.perf_counter() - start) / 20 * 1000)
        """
    }

    /// Prints numpy's milliseconds per query: single, then batched by 256 (cosine, top 10).
    static func numpyQueries(_ path: String, _ rows: Int, _ dimensions: Int, _ queries: [String]) -> String {
        """
        import time, numpy as np
        from gensim.models import KeyedVectors
        kv = KeyedVectors.load_word2vec_format('\(path)', binary=True)
        m = kv.vectors
        norms = np.linalg.norm(m, axis=1)
        rows = [kv.key_to_index[w] for w in \(pythonList(queries))]
        def top(scores, k=10):
            best = np.argpartition(-scores, k, axis=-1)[..., :k]
            return best
        q = m[rows[0]] / norms[rows[0]]
        top(m @ q / norms)
        start = time.perf_counter()
        for r in rows[:20]:
            q = m[r] / norms[r]
            top(m @ q / norms)
        single = (time.perf_counter() - start) / 20 * 1000
        start = time.perf_counter()
        Q = m[rows] / norms[rows][:, None]
        top((Q @ m.T) / norms)
        batched = (time.perf_counter() - start) / len(rows) * 1000
        print(single, batched)
        """
    }

    /// Prints gensim's seconds and accuracy for evaluate_word_analogies.
    static func gensimEvaluation(_ glove: String, _ questions: String) -> String {
        """
        import time
        from gensim.models import KeyedVectors
        kv = KeyedVectors.load_word2vec_format('\(glove)', binary=False, no_header=True)
        start = time.perf_counter()
        score, sections = kv.evaluate_word_analogies('\(questions)')
        print(time.perf_counter() - start, score)
        """
    }
}
