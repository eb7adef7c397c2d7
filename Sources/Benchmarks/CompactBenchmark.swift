import EmbeddingStore
import Foundation

/// `embkit-bench compact`: float16 and int8 native files against float32 in the same run — file
/// size, top-10 query time (single and batched by 256), peak RSS of one `embkit neighbors` call,
/// gensim's `most_similar` on the same vectors — on the synthetic 1M × 300 set; and with
/// `--glove PATH` (GloVe 6B 50d, 400k words) recall@10 and the largest cosine error against
/// float32 for 256 query words, with and without the float32 copy.
///
/// Options: `--rows N` (1,000,000), `--dimensions D` (300), `--data DIR` (as for `neighbors`),
/// `--embkit PATH` (the release `embkit` for the RSS runs; default beside this executable),
/// `--glove PATH`, `--no-peers`.
enum CompactBenchmark {
    static let precisions: [(VectorPrecision, Bool)] = [(.float32, false), (.float16, false), (.int8, false), (.int8, true)]

    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let rows = options.integer("--rows", default: 1_000_000), dimensions = options.integer("--dimensions", default: 300)
        let folder = options.string("--data", default: "/tmp/embkit-bench-data")
        let embkit = options.string("--embkit", default: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("embkit").path)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        report(Measurement.machineDescription())
        let binary = "\(folder)/synthetic-\(rows)x\(dimensions).bin"
        try SyntheticVectors.writeBinary(rows: rows, dimensions: dimensions, to: binary)
        let source = try WordEmbeddings(contentsOf: binary)
        let queries = (0..<256).map { SyntheticVectors.word($0 * 3 + 1) }

        report("\n## top-10 neighbours, \(rows) × \(dimensions), native files by precision (mapped)")
        report("| precision | file MB | single query ms | × float32 | batched by 256 ms/query | × float32 | peak RSS MB (one CLI query) |")
        report("|---|---|---|---|---|---|---|")
        var float32Times: (single: Double, batched: Double)?
        for (precision, copy) in precisions {
            let path = "\(folder)/synthetic-\(rows)x\(dimensions)-\(precision)\(copy ? "-copy" : "").ekv"
            if !FileManager.default.fileExists(atPath: path) {
                try VectorFileWriter.write(source, to: path, as: .native, precision: precision, exactCopy: copy)
            }
            let embeddings = try WordEmbeddings(contentsOf: path)
            _ = embeddings.nearestNeighbors(of: queries[0], k: 10)  // touch every page once
            let (single, batched) = NeighborsBenchmark.queryTimes(embeddings, queries, singleRepetitions: 3, batchedRepetitions: 1)
            let process = try ProcessMeasurement.run([embkit, "neighbors", "--embeddings", path, queries[0]])
            let baseline = float32Times ?? (single, batched)
            if precision == .float32 { float32Times = (single, batched) }
            let size = Double(try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int) / 1e6
            report("| \(precision)\(copy ? " + float32 copy" : "") | \(format(size, 0)) | \(format(single * 1e3, 1)) | "
                + "\(format(baseline.single / single, 2)) | \(format(batched * 1e3, 2)) | \(format(baseline.batched / batched, 2)) | "
                + "\(format(Double(process.peakRSSBytes) / 1e6, 0)) |")
        }
        if !options.flag("--no-peers") {
            let gensim = try ProcessMeasurement.run(["python3", "-c", NeighborsBenchmark.gensimQueries(binary, queries)])
            report("gensim most_similar (float32) in the same run: \(gensim.output.trimmingCharacters(in: .whitespacesAndNewlines)) ms/query")
        }
        let glove = options.string("--glove", default: "")
        if !glove.isEmpty { try reportAccuracy(glove, folder: folder) }
    }

    /// Recall@10 and the largest cosine error of compact files against float32 on real vectors.
    static func reportAccuracy(_ glove: String, folder: String) throws {
        let float32 = try WordEmbeddings(contentsOf: glove)
        let words = (0..<256).map { float32.vocabulary.word(at: $0 * 97 % float32.count) }
        let expected = float32.nearestNeighbors(ofWords: words, k: 10)
        report("\n## accuracy against float32, \(glove) (\(float32.count) × \(float32.dimensions)), 256 query words")
        report("| precision | recall@10 | largest cosine error in the answers | stored bound |")
        report("|---|---|---|---|")
        for (precision, copy) in precisions where precision != .float32 {
            let path = "\(folder)/glove-\(precision)\(copy ? "-copy" : "").ekv"
            try VectorFileWriter.write(float32, to: path, as: .native, precision: precision, exactCopy: copy)
            let compact = try WordEmbeddings(contentsOf: path)
            var found = 0, largestError: Float = 0
            for (word, (truth, answer)) in zip(words, zip(expected, compact.nearestNeighbors(ofWords: words, k: 10))) {
                found += Set(truth!.map(\.word)).intersection(answer!.map(\.word)).count
                for neighbor in answer! {
                    largestError = max(largestError, abs(neighbor.similarity - float32.similarity(word, neighbor.word)!))
                }
            }
            report("| \(precision)\(copy ? " + float32 copy" : "") | \(format(Double(found) / Double(words.count * 10), 4)) | "
                + "\(String(format: "%.2e", largestError)) | \(String(format: "%.2e", compact.cosineErrorBound)) |")
            try FileManager.default.removeItem(atPath: path)
        }
    }
}
