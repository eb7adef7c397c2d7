/// An error about a file: which file, where in it, and what was wrong. Every library's file
/// errors conform (`EmbeddingFileError`, `ModelFileError`, `ImageFileError`, `ONNXError`), so
/// one `catch let error as any LocatedError` reports them all; it lives in this root module
/// because every library depends on it.
public protocol LocatedError: Error, Sendable, CustomStringConvertible {
    /// The file, as the caller named it.
    var path: String { get }
    /// Where in the file: `line 12`, `byte 4096`, `node Conv_3`; nil for the file as a whole.
    var place: String? { get }
    /// What was expected and what was found.
    var message: String { get }
}
