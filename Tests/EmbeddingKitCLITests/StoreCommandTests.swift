import Foundation
import Testing

@Suite("embkit info, vector and convert")
struct StoreCommandTests {
    static var toyModel: String { Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("toy-model.vec").path }

    func scratch() throws -> URL { try EmbeddingKitProcess.scratchFolder("cli") }

    @Test("info --json reports format, count and dimensions")
    func infoJSON() throws {
        let result = try EmbeddingKitProcess.run(["info", Self.toyModel, "--json"])
        #expect(result.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["format"] as? String == "fasttext-vec")
        #expect(object?["count"] as? Int == 22 && object?["dimensions"] as? Int == 5)
    }

    @Test("vector prints words from arguments and from stdin; unknown words go to stderr with exit 1")
    func vector() throws {
        let fromArguments = try EmbeddingKitProcess.run(["vector", "--embeddings", Self.toyModel, "the"])
        #expect(fromArguments.status == 0)
        let fields = fromArguments.stdout.split(separator: " ")
        #expect(fields.first == "the" && fields.count == 6)
        let fromStdin = try EmbeddingKitProcess.run(["vector", "--embeddings", Self.toyModel], input: "the\nzzzz\nthe\n")
        #expect(fromStdin.status == 1)
        #expect(fromStdin.stdout.split(separator: "\n").count == 2)
        #expect(fromStdin.stderr.contains("unknown word 'zzzz'"))
    }

    @Test("vector --json: one object per word with the plain output's values; unknown words get an error field and exit 1")
    func vectorJSON() throws {
        let plain = try EmbeddingKitProcess.run(["vector", "--embeddings", Self.toyModel, "the"])
        let result = try EmbeddingKitProcess.run(["vector", "--embeddings", Self.toyModel, "--json", "the", "zzzz"])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        let values = (object?["vector"] as? [Double] ?? []).map { Float($0) }
        #expect(object?["word"] as? String == "the" && values == plain.stdout.split(separator: " ").dropFirst().compactMap { Float($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        #expect(lines[1] == #"{"word":"zzzz","error":"unknown word"}"#)
    }

    @Test("convert writes a file that reads back to the same vectors")
    func convert() throws {
        let output = try scratch().appendingPathComponent("toy.bin").path
        let result = try EmbeddingKitProcess.run(["convert", Self.toyModel, output])
        #expect(result.status == 0)
        let info = try EmbeddingKitProcess.run(["info", output, "--json"])
        #expect(info.stdout.contains("\"format\":\"word2vec-binary\""))
        let before = try EmbeddingKitProcess.run(["vector", "--embeddings", Self.toyModel, "the", "of"])
        let after = try EmbeddingKitProcess.run(["vector", "--embeddings", output, "the", "of"])
        #expect(before.stdout == after.stdout && !before.stdout.isEmpty)
    }

    @Test("convert --json describes the file written; --quiet prints nothing")
    func convertJSON() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("toy.ekv").path
        let result = try EmbeddingKitProcess.run(["convert", Self.toyModel, output, "--precision", "int8", "--keep-float32", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(object?["count"] as? Int == 22 && object?["dimensions"] as? Int == 5 && object?["format"] as? String == "native")
        #expect(object?["precision"] as? String == "int8" && object?["float32_copy"] as? Bool == true && object?["output"] as? String == output)
        let quiet = try EmbeddingKitProcess.run(["convert", Self.toyModel, output, "--quiet"])
        #expect(quiet.status == 0 && quiet.stdout.isEmpty && quiet.stderr.isEmpty, "\(quiet.stderr)")
    }

    @Test("convert --precision f16|int8 [--keep-float32]: info names the precision, --exact refuses an approximate file")
    func compactConversion() throws {
        let folder = try scratch()
        let int8 = folder.appendingPathComponent("toy-int8.ekv").path, exact = folder.appendingPathComponent("toy-int8-copy.ekv").path
        #expect(try EmbeddingKitProcess.run(["convert", Self.toyModel, int8, "--precision", "int8"]).status == 0)
        #expect(try EmbeddingKitProcess.run(["convert", Self.toyModel, exact, "--precision", "int8", "--keep-float32"]).status == 0)
        let info = try EmbeddingKitProcess.run(["info", int8, "--json"])
        let object = try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any]
        #expect(object?["precision"] as? String == "int8" && object?["exact_searches"] as? Bool == false)
        #expect((object?["cosine_error_bound"] as? Double ?? 1) < 0.05)

        let refused = try EmbeddingKitProcess.run(["neighbors", "--embeddings", int8, "--exact", "the"])
        #expect(refused.status == 1 && refused.stderr.contains("no float32 copy") && refused.stdout.isEmpty)
        let original = try EmbeddingKitProcess.run(["neighbors", "--embeddings", Self.toyModel, "-k", "5", "the"])
        let reranked = try EmbeddingKitProcess.run(["neighbors", "--embeddings", exact, "--exact", "-k", "5", "the"])
        #expect(reranked.status == 0)
        let words = { (output: String) in output.split(separator: "\n").map { $0.split(separator: " ").first ?? "" } }
        #expect(words(reranked.stdout) == words(original.stdout) && !original.stdout.isEmpty)

        #expect(try EmbeddingKitProcess.run(["convert", Self.toyModel, int8, "--precision", "f12"]).status == 64)
        #expect(try EmbeddingKitProcess.run(["convert", Self.toyModel, int8, "--keep-float32"]).status == 64)
        let textOutput = try EmbeddingKitProcess.run(["convert", Self.toyModel, folder.appendingPathComponent("toy.txt").path, "--precision", "f16"])
        #expect(textOutput.status == 1 && textOutput.stderr.contains("native files"))
    }

    @Test("a bad input gives path:line: message, exit 1, and no output file")
    func badInput() throws {
        let folder = try scratch()
        let bad = folder.appendingPathComponent("bad.txt")
        try Data("a 1 2\nb 3\n".utf8).write(to: bad)
        let output = folder.appendingPathComponent("out.ekv").path
        let result = try EmbeddingKitProcess.run(["convert", bad.path, output])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(bad.path):2: expected 2 values, found 1"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["bad.txt"])
    }
}
