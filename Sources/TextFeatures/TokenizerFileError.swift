import LinearAlgebra

/// A tokenizer file (`tokenizer.json`, `vocab.txt`, `tokenizer_config.json`) that cannot be used:
/// which file, where in it, and what was expected and found.
public struct TokenizerFileError: LocatedError, Hashable {
    /// The file as the caller named it.
    public let path: String
    /// Where in it (`model.vocab`, `line 12`), or nil for the file as a whole.
    public let place: String?
    /// What was expected and found.
    public let message: String

    /// An error about `path` at `place`.
    public init(path: String, place: String?, message: String) {
        (self.path, self.place, self.message) = (path, place, message)
    }

    /// `path: place: message`.
    public var description: String { [path, place, message].compactMap { $0 }.joined(separator: ": ") }
}
