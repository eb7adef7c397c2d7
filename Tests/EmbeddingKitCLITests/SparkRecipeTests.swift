import Foundation
import Testing

/// The PySpark recipe (Recipes/spark/predict_with_spark.py): `embkit predict` piped over the
/// partitions of a corpus in `local[2]` gives the same bytes as one `embkit predict` process.
/// Runs where `python3` can import pyspark and a Java runtime exists (`pip install pyspark`);
/// elsewhere it is reported as skipped.
@Suite("PySpark RDD.pipe recipe")
struct SparkRecipeTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Whether `python3 -c "import pyspark"` succeeds and `java` runs.
    static let sparkIsAvailable: Bool = {
        func succeeds(_ arguments: [String]) -> Bool {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return false }
            process.waitUntilExit()
            return process.terminationStatus == 0
        }
        return succeeds(["python3", "-c", "import pyspark"]) && succeeds(["java", "-version"])
    }()

    @Test("predict over 4 partitions in local[2] equals the single-process run",
          .enabled(if: sparkIsAvailable, "needs pyspark (pip install pyspark) and a Java runtime"))
    func pipeEqualsSingleProcess() throws {
        let folder = try EmbeddingKitProcess.scratchFolder("spark")
        defer { try? FileManager.default.removeItem(at: folder) }
        // The Rotten Tomatoes test texts (labels cut off), labelled by the shipped language model.
        let corpus = try String(contentsOf: Self.repository.appendingPathComponent("Corpora/rotten-tomatoes/test.txt"), encoding: .utf8)
        let texts = corpus.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 1).last.map(String.init) ?? "" }
        let input = folder.appendingPathComponent("texts.txt"), output = folder.appendingPathComponent("spark.txt")
        try (texts.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.repository.appendingPathComponent("Recipes/spark/predict_with_spark.py").path,
                             "--embkit", EmbeddingKitProcess.executable.path,
                             "--model", Self.repository.appendingPathComponent("Embeddings/lid.176.ftz").path,
                             "--input", input.path, "--output", output.path, "-k", "2", "--partitions", "4"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let single = try EmbeddingKitProcess.run(["predict", "--model", Self.repository.appendingPathComponent("Embeddings/lid.176.ftz").path,
                                                  "-k", "2", input.path])
        #expect(single.status == 0)
        let spread = try String(contentsOf: output, encoding: .utf8)
        #expect(spread.split(separator: "\n").count == texts.count)
        #expect(spread == single.stdout)
    }
}
