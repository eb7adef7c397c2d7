import Foundation
import Testing

@Suite("embkit neighbors, similarity, analogy and evaluate")
struct QueryCommandTests {
    static var toyModel: String { StoreCommandTests.toyModel }

    @Test("neighbors --json prints one object per query, with an error object for unknown words")
    func neighborsJSON() throws {
        let result = try EmbeddingKitProcess.run(["neighbors", "--embeddings", Self.toyModel, "-k", "3", "--json"],
                                                 input: "the\nnot-a-word\nof\n")
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map { try! JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(lines.count == 3)
        #expect(lines[0]["query"] as? String == "the" && (lines[0]["neighbors"] as? [[String: Any]])?.count == 3)
        #expect(lines[1]["error"] as? String == "unknown word")
        #expect((lines[2]["neighbors"] as? [[String: Any]])?.first?["word"] is String)
    }

    @Test("results that cannot be written (stdout on a full disk: /dev/full) are exit code 1 and a message, not a trap or exit 0",
          .enabled(if: FileManager.default.fileExists(atPath: "/dev/full")))
    func fullDisk() throws {
        for arguments in [["neighbors", "--embeddings", Self.toyModel, "-k", "3", "the"], ["similarity", "--embeddings", Self.toyModel, "the", "of"],
                          ["analogy", "--embeddings", Self.toyModel, "the", "of", "and"], ["info", Self.toyModel], ["vector", "--embeddings", Self.toyModel, "the"]] {
            let process = Process(), stderr = Pipe()
            process.executableURL = EmbeddingKitProcess.executable
            process.arguments = arguments
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
            process.standardError = stderr
            try process.run()
            let message = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationReason == .exit && process.terminationStatus == 1, "\(arguments[0]): \(process.terminationStatus)")
            #expect(message.contains("cannot write the results to standard output: No space left on device"), "\(arguments[0]): \(message)")
        }
    }

    @Test("neighbors in text mode lists each query and its neighbours")
    func neighborsText() throws {
        let result = try EmbeddingKitProcess.run(["neighbors", "--embeddings", Self.toyModel, "-k", "2", "the"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines[0] == "the" && lines[1].hasPrefix("  "))
    }

    @Test("similarity and analogy print JSON with the documented keys")
    func similarityAndAnalogy() throws {
        let similarity = try EmbeddingKitProcess.run(["similarity", "--embeddings", Self.toyModel, "the", "of", "--json"])
        #expect(similarity.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(similarity.stdout.utf8)) as? [String: Any]
        #expect(object?["a"] as? String == "the" && object?["similarity"] is Double)
        let analogy = try EmbeddingKitProcess.run(["analogy", "--embeddings", Self.toyModel, "the", "of", "and",
                                                   "-k", "2", "--method", "mul", "--json"])
        #expect(analogy.status == 0)
        let answer = try JSONSerialization.jsonObject(with: Data(analogy.stdout.utf8)) as? [String: Any]
        #expect(answer?["method"] as? String == "mul" && (answer?["results"] as? [Any])?.count == 2)
        let unknown = try EmbeddingKitProcess.run(["similarity", "--embeddings", Self.toyModel, "the", "zzz"])
        #expect(unknown.status == 1 && unknown.stderr.contains("unknown word 'zzz'"))
        let unknownJSON = try EmbeddingKitProcess.run(["similarity", "--embeddings", Self.toyModel, "the", "zzz", "--json"])
        let error = try JSONSerialization.jsonObject(with: Data(unknownJSON.stdout.utf8)) as? [String: Any]
        #expect(unknownJSON.status == 1 && error?["error"] as? String == "unknown word 'zzz'")
        let folded = try EmbeddingKitProcess.run(["similarity", "--embeddings", Self.toyModel, "The", "OF", "--ignore-case"])
        let plain = try EmbeddingKitProcess.run(["similarity", "--embeddings", Self.toyModel, "the", "of"])
        #expect(folded.status == 0 && folded.stdout == plain.stdout)
        #expect(try EmbeddingKitProcess.run(["similarity", "--embeddings", Self.toyModel, "The", "OF"]).status == 1)
    }

    @Test("analogy reads one `A B C` question per stdin line: answers equal the arguments' answers; bad lines are named, exit 1")
    func analogyFromStandardInput() throws {
        let single = try EmbeddingKitProcess.run(["analogy", "--embeddings", Self.toyModel, "the", "of", "and", "-k", "2", "--json"])
        let batch = try EmbeddingKitProcess.run(["analogy", "--embeddings", Self.toyModel, "-k", "2", "--json"],
                                                input: "the of and\n\nthe zzz and\none two\nthe of and\n")
        #expect(batch.status == 1)
        let lines = batch.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3 && lines[0] + "\n" == single.stdout && lines[2] == lines[0])
        #expect(lines[1].contains(#""error":"unknown word 'zzz'""#))
        #expect(batch.stderr.contains("expected `A B C`, got 2 word(s): one two"))
        let clean = try EmbeddingKitProcess.run(["analogy", "--embeddings", Self.toyModel, "-k", "1"], input: "the of and\n")
        #expect(clean.status == 0 && clean.stdout.split(separator: "\n").count == 1)
        #expect(try EmbeddingKitProcess.run(["analogy", "--embeddings", Self.toyModel, "the", "of"]).status == 64)
    }

    @Test("info on a supervised fastText model names its labels, loss and quantization")
    func infoOnSupervisedModel() throws {
        let result = try EmbeddingKitProcess.run(["info", FastTextCommandTests.lid, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["supervised_labels"] as? Int == 176 && object?["quantized"] as? Bool == true)
        #expect(object?["loss"] as? String == "hierarchicalSoftmax" && (object?["labels"] as? String)?.hasPrefix("en ru de") == true)
    }

    @Test("evaluate similarity reports pairs, correlations and the OOV ratio")
    func evaluate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-eval-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let pairs = folder.appendingPathComponent("pairs.tsv")
        try Data("# comment\nthe\tof\t5.0\nthe\tand\t7.5\nof\tand\t2.0\nthe\tzzz\t1.0\n".utf8).write(to: pairs)
        let result = try EmbeddingKitProcess.run(["evaluate", "similarity", "--embeddings", Self.toyModel, pairs.path, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["pairs"] as? Int == 3 && object?["oov_ratio"] as? Double == 25)
        let questions = folder.appendingPathComponent("questions.txt")
        try Data("the of and in\n".utf8).write(to: questions)
        let bad = try EmbeddingKitProcess.run(["evaluate", "analogies", "--embeddings", Self.toyModel, questions.path])
        #expect(bad.status == 1 && bad.stderr.contains("\(questions.path):1: a question before the first `: section` header"))
    }
}
