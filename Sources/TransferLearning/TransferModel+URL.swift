import EmbeddingStore
import Foundation

extension TransferModel {
    /// Reads the model at the file URL `url` (an EmbeddingKit model or a supervised fastText
    /// `.bin`/`.ftz`), with `embeddings` in place of the embedding file it records when given.
    /// - Throws: as `init(contentsOf:embeddingsPath:)`, and `EmbeddingFileError` for a URL that is
    ///   not a file URL.
    public init(contentsOf url: URL, embeddings: URL? = nil) throws {
        try self.init(contentsOf: try url.filePath(), embeddingsPath: try embeddings?.filePath())
    }

    /// Writes the model to the file URL `url`, as `write(to:embeddings:precision:)` does to a path.
    public func write(to url: URL, embeddings storage: EmbeddingStorage = .reference, precision: TensorPrecision = .float32) throws {
        try write(to: try url.filePath(), embeddings: storage, precision: precision)
    }
}
