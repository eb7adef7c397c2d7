import EmbeddingStore
import Foundation
import Synchronization
import Testing

@Suite("Long loads and writes report progress through a callback")
struct ProgressTests {
    /// The fractions reported while loading `path`.
    func fractions(loading path: String) throws -> [Double] {
        let seen = Mutex<[Double]>([])
        _ = try WordEmbeddings(contentsOf: path, options: LoadOptions(progress: { value in seen.withLock { $0.append(value) } }))
        return seen.withLock { $0 }
    }

    @Test("text, gzip text and word2vec binary report rising fractions that end at 1",
          arguments: ["lee_fasttext.vec", "euclidean_vectors.bin"])
    func reports(fixture: String) throws {
        for path in [TestFiles.fixture(fixture)] + (fixture.hasSuffix(".vec") ? [shippedGlove] : []) {
            let values = try fractions(loading: path)
            #expect(!values.isEmpty && values.last == 1, "\(path): \(values.suffix(3))")
            #expect(values == values.sorted(), "\(path)")
        }
    }

    @Test("writing reports the share of rows written")
    func writing() throws {
        let embeddings = try WordEmbeddings(contentsOf: TestFiles.fixture("lee_fasttext.vec"))
        let seen = Mutex<[Double]>([])
        let path = try TestFiles.scratchFolder().appendingPathComponent("out.ekv").path
        try VectorFileWriter.write(embeddings, to: path, as: .native, progress: { value in seen.withLock { $0.append(value) } })
        #expect(seen.withLock { $0.first } == 0)
    }
}
