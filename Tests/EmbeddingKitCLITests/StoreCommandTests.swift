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
