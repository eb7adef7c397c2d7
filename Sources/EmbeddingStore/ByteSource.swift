/// The bytes a reader parses (a mapped file, or inflated gzip contents) with the object that
/// keeps them alive.
///
/// `@unchecked Sendable` is safe because the bytes are never written after construction.
struct ByteSource: @unchecked Sendable {
    /// The path the bytes came from, for error messages.
    let path: String
    let bytes: UnsafeRawBufferPointer
    /// Keeps `bytes` valid: a `MappedFile` or an `OwnedBytes`.
    let owner: AnyObject
    /// The mapping when the bytes are the file itself (not inflated).
    let mappedFile: MappedFile?
    /// Whether the file was gzip-compressed.
    let wasCompressed: Bool

    func error(_ location: FileLocation, _ kind: EmbeddingFileError.Kind, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: location, kind: kind, message: message)
    }
}
