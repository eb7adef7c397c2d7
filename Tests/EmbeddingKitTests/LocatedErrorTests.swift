import EmbeddingKit
import Foundation
import Testing

@Suite("Every file error is a LocatedError")
struct LocatedErrorTests {
    /// Opens `path` with `open` and returns the error it throws as a `LocatedError`.
    func locatedError(_ open: () throws -> Void) -> (any LocatedError)? {
        do { try open() } catch let error as any LocatedError { return error } catch { Issue.record("\(error) is not located") }
        return nil
    }

    @Test("vector, model, image and ONNX files that cannot be read: one catch, the file, the place and the message")
    func everyReader() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("located-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        func file(_ name: String, _ bytes: String) throws -> String {
            let path = folder.appendingPathComponent(name).path
            try Data(bytes.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let vectors = try file("bad.vec", "2 3\nthe 0.1 0.2 0.3\nof 0.1 x 0.3\n")
        let vectorError = try #require(locatedError { _ = try WordEmbeddings(contentsOf: vectors) })
        #expect(vectorError.path == vectors && vectorError.place == "line 3" && vectorError.description.hasPrefix("\(vectors):3: "))
        let model = try file("bad.ekm", "\u{10}\0\0\0\0\0\0\0{\"a\": 1}")
        let modelError = try #require(locatedError { _ = try TransferModel(contentsOf: model) })
        #expect(modelError.path == model && modelError.description.hasPrefix(model))
        let image = try file("bad.png", "\u{89}PNG\r\n\u{1A}\n")
        let imageError = try #require(locatedError { _ = try DecodedImage(contentsOf: image) })
        #expect(imageError.path == image && !imageError.message.isEmpty)
        let onnx = try file("bad.onnx", "\u{0A}\u{7F}abc")
        let onnxError = try #require(locatedError { _ = try ONNXModel(contentsOf: onnx) })
        #expect(onnxError.path == onnx && onnxError.place?.hasPrefix("byte ") == true)
    }
}

@Suite("File URLs work wherever paths do")
struct FileURLTests {
    @Test("vectors, a corpus and a model by file URL equal the path versions; other URLs are a located error")
    func fileURLs() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let vectors = repository.appendingPathComponent("Embeddings/glove.6B.50d.20k.txt.gz")
        let byURL = try WordEmbeddings(contentsOf: vectors), byPath = try WordEmbeddings(contentsOf: vectors.path)
        #expect(byURL.count == byPath.count && byURL["king"] == byPath["king"])
        let corpus = try LabeledCorpus(contentsOf: repository.appendingPathComponent("Corpora/rotten-tomatoes/test.txt"))
        #expect(corpus.documents.count == 2779)
        let model = try TransferModel(contentsOf: repository.appendingPathComponent("Embeddings/lid.176.ftz"))
        #expect(try model.predict("bonjour tout le monde").first?.label == "fr")
        #expect(throws: EmbeddingFileError.self) { try WordEmbeddings(contentsOf: URL(string: "https://example.com/v.vec")!) }
    }
}
