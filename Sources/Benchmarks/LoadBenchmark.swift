import EmbeddingStore
import Foundation

/// `embkit-bench load`: open → first vector lookup on synthetic files of real formats, for
/// EmbeddingKit and for gensim (and a tight numpy parse of text) in the same run, with peak RSS.
///
/// Options: `--rows N` (1,000,000), `--dimensions D` (300), `--data DIR` (generated files are
/// kept there; default /tmp/embkit-bench-data), `--large N` (also a native/binary case with N
/// rows, 0 to skip; default 3,000,000), `--no-peers` (skip gensim and numpy).
enum LoadBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let rows = options.integer("--rows", default: 1_000_000)
        let dimensions = options.integer("--dimensions", default: 300)
        let large = options.integer("--large", default: 3_000_000)
        let folder = options.string("--data", default: "/tmp/embkit-bench-data")
        let peers = !options.flag("--no-peers")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        report(Measurement.machineDescription())
        report("data: \(rows) × \(dimensions) in \(folder) (generated once, deterministic)")

        let stem = "\(folder)/synthetic-\(rows)x\(dimensions)"
        let binary = stem + ".bin", glove = stem + ".glove.txt", vec = stem + ".vec", native = stem + ".ekv"
        try SyntheticVectors.writeBinary(rows: rows, dimensions: dimensions, to: binary)
        try SyntheticVectors.writeText(rows: rows, dimensions: dimensions, header: false, to: glove)
        try SyntheticVectors.writeText(rows: rows, dimensions: dimensions, header: true, to: vec)
        try SyntheticVectors.gzip(glove)
        if !FileManager.default.fileExists(atPath: native) {
            try VectorFileWriter.write(try WordEmbeddings(contentsOf: binary), to: native, as: .native)
        }

        report("\n| file | size | EmbeddingKit open → first lookup | peak RSS | gensim load | peak RSS | speed-up | RSS ratio |")
        report("|---|---|---|---|---|---|---|---|")
        let cases: [(String, String, String)] = [
            ("word2vec binary", binary, "binary=True"),
            ("GloVe text", glove, "binary=False, no_header=True"),
            ("GloVe text .gz", glove + ".gz", "binary=False, no_header=True"),
            ("fastText .vec", vec, "binary=False"),
        ]
        for (name, path, gensimArguments) in cases {
            try warmPageCache(path)
            let ours = try ProcessMeasurement.run([embkitPath, "vector", "--embeddings", path, "w0"])
            var line = "| \(name) | \(fileSize(path)) | \(format(ours.seconds, 2)) s | \(megabytes(ours.peakRSSBytes)) |"
            if peers {
                let gensim = try ProcessMeasurement.run(["python3", "-c", gensimScript(path, gensimArguments)])
                line += " \(format(gensim.seconds, 2)) s | \(megabytes(gensim.peakRSSBytes)) | "
                    + "\(format(gensim.seconds / ours.seconds))× | \(format(100 * Double(ours.peakRSSBytes) / Double(gensim.peakRSSBytes)))% |"
            } else {
                line += " – | – | – | – |"
            }
            report(line)
        }
        if peers {
            try warmPageCache(glove)
            let numpy = try ProcessMeasurement.run(["python3", "-c", numpyScript(glove)])
            let ours = try ProcessMeasurement.run([embkitPath, "vector", "--embeddings", glove, "w0"])
            report("\nGloVe text, tight numpy parse: \(format(numpy.seconds, 2)) s, \(megabytes(numpy.peakRSSBytes)); "
                + "EmbeddingKit \(format(ours.seconds, 2)) s → \(format(numpy.seconds / ours.seconds))× faster")
        }

        report("\n## native format: open → first lookup (in-process median of 5, and whole process)")
        var natives = [(rows / 10, "\(folder)/synthetic-\(rows / 10)x\(dimensions).ekv"), (rows, native)]
        if large > 0 {
            let largeBinary = "\(folder)/synthetic-\(large)x\(dimensions).bin"
            let largeNative = "\(folder)/synthetic-\(large)x\(dimensions).ekv"
            try SyntheticVectors.writeBinary(rows: large, dimensions: dimensions, to: largeBinary)
            if !FileManager.default.fileExists(atPath: largeNative) {
                try VectorFileWriter.write(try WordEmbeddings(contentsOf: largeBinary), to: largeNative, as: .native)
            }
            natives.append((large, largeNative))
            let ours = try ProcessMeasurement.run([embkitPath, "vector", "--embeddings", largeBinary, "w0"])
            report("word2vec binary \(large) rows (\(fileSize(largeBinary))): \(format(ours.seconds, 2)) s, \(megabytes(ours.peakRSSBytes))")
        }
        if !FileManager.default.fileExists(atPath: natives[0].1) {
            try VectorFileWriter.write(try WordEmbeddings(contentsOf: binary), to: natives[0].1, as: .native, limit: natives[0].0)
        }
        for (count, path) in natives {
            let seconds = Measurement.medianSeconds(repetitions: 5) {
                let embeddings = try! WordEmbeddings(contentsOf: path)
                blackHole(embeddings.vector(for: "w\(count - 1)"))
            }
            let process = try ProcessMeasurement.run([embkitPath, "vector", "--embeddings", path, "w\(count - 1)"])
            report("\(count) rows (\(fileSize(path))): \(format(seconds * 1e3, 3)) ms in-process; "
                + "whole `embkit vector` process \(format(process.seconds * 1e3, 0)) ms, peak RSS \(megabytes(process.peakRSSBytes))")
        }
    }

    /// Reads `path` once so every tool measured after finds it in the page cache.
    static func warmPageCache(_ path: String) throws {
        _ = try ProcessMeasurement.run(["/bin/sh", "-c", "cat '\(path)' > /dev/null"])
    }

    /// `embkit` beside this benchmark executable.
    static var embkitPath: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("embkit").path
    }

    static func gensimScript(_ path: String, _ arguments: String) -> String {
        """
        from gensim.models import KeyedVectors
        vectors = KeyedVectors.load_word2vec_format('\(path)', \(arguments))
        print(vectors['w0'][:3])
        """
    }

    /// Reads words and values line by line, then parses all values in one numpy call.
    static func numpyScript(_ path: String) -> String {
        """
        import numpy as np
        words, rows = [], []
        with open('\(path)', 'rb') as f:
            for line in f:
                word, values = line.split(b' ', 1)
                words.append(word)
                rows.append(values)
        matrix = np.fromstring(b' '.join(rows), dtype=np.float32, sep=' ').reshape(len(words), -1)
        index = {w: i for i, w in enumerate(words)}
        print(matrix[index[b'w0']][:3])
        """
    }

    static func fileSize(_ path: String) -> String {
        let bytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return "\(format(Double(bytes) / 1e9, 2)) GB"
    }

    static func megabytes(_ bytes: Int) -> String { "\(format(Double(bytes) / 1e6, 0)) MB" }
}

/// `--name value` and `--flag` options of a benchmark.
struct BenchmarkOptions {
    private let arguments: [String]
    init(_ arguments: ArraySlice<String>) { self.arguments = Array(arguments) }

    func string(_ name: String, default value: String) -> String {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
        return arguments[index + 1]
    }

    func integer(_ name: String, default value: Int) -> Int { Int(string(name, default: "")) ?? value }

    func flag(_ name: String) -> Bool { arguments.contains(name) }
}
