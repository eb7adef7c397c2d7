import Foundation

/// `embkit-bench fasttext`: against the real fastText CLI (Debian `fasttext` 0.9.2) in the same
/// run, one thread each: open a ≥ 500 MB dense `.bin` and answer a first word, and `predict` with
/// the shipped `lid.176.ftz` over ≥ 100,000 lines.
///
/// Options: `--data DIR` (the big model is trained there once: skipgram, dim 300, bucket 420,000
/// on the shipped Rotten Tomatoes text), `--lid PATH` (default `Embeddings/lid.176.ftz`),
/// `--lines PATH` (default: the test fixture's 1,030 mixed-language lines, repeated to 100k+).
enum FastTextBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let folder = options.string("--data", default: "/tmp/embkit-bench-data")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        report(Measurement.machineDescription())
        let embkit = LoadBenchmark.embkitPath

        let big = "\(folder)/rotten-tomatoes-skipgram-300d.bin"
        if !FileManager.default.fileExists(atPath: big) {
            let text = "\(folder)/rotten-tomatoes.txt"
            _ = try ProcessMeasurement.run(["/bin/sh", "-c", "cut -d' ' -f2- Corpora/rotten-tomatoes/train.txt > '\(text)'"])
            _ = try ProcessMeasurement.run(["fasttext", "skipgram", "-input", text, "-output", String(big.dropLast(4)),
                                            "-dim", "300", "-bucket", "420000", "-epoch", "1", "-thread", "2", "-seed", "1"])
        }
        try LoadBenchmark.warmPageCache(big)
        report("\n## open a dense .bin (\(LoadBenchmark.fileSize(big))) and print the vector of one word, one thread each")
        let ours = try ProcessMeasurement.run(["/bin/sh", "-c", "echo film | taskset -c 0 '\(embkit)' vector --embeddings '\(big)'"])
        let theirs = try ProcessMeasurement.run(["/bin/sh", "-c", "echo film | taskset -c 0 fasttext print-word-vectors '\(big)'"])
        report("EmbeddingKit \(format(ours.seconds, 2)) s, \(LoadBenchmark.megabytes(ours.peakRSSBytes)); fastText "
            + "\(format(theirs.seconds, 2)) s, \(LoadBenchmark.megabytes(theirs.peakRSSBytes)) → "
            + "\(format(theirs.seconds / max(ours.seconds, 0.01), 1))× faster (time's resolution is 10 ms), "
            + "\(format(100 * Double(ours.peakRSSBytes) / Double(theirs.peakRSSBytes), 1))% of the memory (target ≥ 20×)")

        let lid = options.string("--lid", default: "Embeddings/lid.176.ftz")
        let source = options.string("--lines", default: "Tests/EmbeddingStoreTests/Fixtures/lid/mixed-input.txt")
        let lines = "\(folder)/lid-lines.txt"
        let text = try String(contentsOfFile: source, encoding: .utf8)
        let count = text.split(separator: "\n").count
        try Data(String(repeating: text, count: (100_000 + count - 1) / count).utf8).write(to: URL(fileURLWithPath: lines))
        let total = count * ((100_000 + count - 1) / count)
        report("\n## predict with \(lid), \(total) lines, one thread each")
        let ourPredict = try ProcessMeasurement.run(["/bin/sh", "-c", "taskset -c 0 '\(embkit)' predict --model '\(lid)' '\(lines)' > /dev/null"])
        let theirPredict = try ProcessMeasurement.run(["/bin/sh", "-c", "taskset -c 0 fasttext predict-prob '\(lid)' '\(lines)' 1 > /dev/null"])
        report("EmbeddingKit \(format(ourPredict.seconds, 2)) s (\(format(Double(total) / ourPredict.seconds, 0)) lines/s); fastText "
            + "\(format(theirPredict.seconds, 2)) s → \(format(theirPredict.seconds / ourPredict.seconds, 2))× its throughput (target ≥ 1)")
    }
}
