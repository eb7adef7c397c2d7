import EmbeddingStore
import Foundation
import Testing

@Suite("Readers agree bit for bit with gensim 4.4.0 on real files")
struct GensimAgreementTests {
    static let fixtures = [
        "euclidean_vectors.bin", "EN.1-10.cbow1_wind5_hs0_neg10_size300_smpl1e-05.txt", "test_glove.txt",
        "lee_fasttext.vec", "crime-and-punishment.vec", "toy-model.vec",
    ]

    @Test("same words in the same order, identical float32 bits", arguments: fixtures)
    func matchesGensim(fixture: String) throws {
        let golden = try Golden(fixture: fixture)
        let embeddings = try WordEmbeddings(contentsOf: TestFiles.fixture(fixture))
        #expect(Array(embeddings.vocabulary) == golden.words)
        for index in 0..<min(embeddings.count, golden.words.count) {
            let bits = embeddings.vector(at: index).map(\.bitPattern)
            #expect(bits == golden.bits[index], "row \(index) '\(golden.words[index])'")
        }
        #expect(embeddings.vector(for: golden.words[0])?.map(\.bitPattern) == golden.bits[0])
    }

    @Test("the same contents gzip-compressed load identically", arguments: fixtures)
    func gzipMatches(fixture: String) throws {
        let folder = try TestFiles.scratchFolder()
        let compressed = folder.appendingPathComponent(fixture + ".gz").path
        try FileManager.default.copyItem(atPath: TestFiles.fixture(fixture), toPath: folder.appendingPathComponent(fixture).path)
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/sh")
        gzip.arguments = ["-c", "gzip -k '\(folder.appendingPathComponent(fixture).path)'"]
        try gzip.run()
        gzip.waitUntilExit()
        let plain = try WordEmbeddings(contentsOf: TestFiles.fixture(fixture))
        let unpacked = try WordEmbeddings(contentsOf: compressed)
        #expect(unpacked.metadata.wasCompressed)
        #expect(Array(unpacked.vocabulary) == Array(plain.vocabulary))
        #expect((0..<plain.count).allSatisfy { unpacked.vector(at: $0) == plain.vector(at: $0) })
    }
}
