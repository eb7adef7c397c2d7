import Foundation

extension URL {
    /// The path of a file URL, for the readers and writers that take paths.
    /// - Throws: `EmbeddingFileError` (`cannotOpen`) for a URL of another scheme.
    public func filePath() throws -> String {
        guard isFileURL else {
            throw EmbeddingFileError(path: absoluteString, location: .file, kind: .cannotOpen,
                                     message: "not a file URL; only local files can be read and written")
        }
        return path
    }
}

extension WordEmbeddings {
    /// Opens the vector file at the file URL `url`, as `init(contentsOf:options:)` does its path.
    /// - Throws: `EmbeddingFileError`, also for a URL that is not a file URL.
    public init(contentsOf url: URL, options: LoadOptions = LoadOptions()) throws {
        try self.init(contentsOf: try url.filePath(), options: options)
    }
}
