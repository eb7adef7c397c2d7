import LinearAlgebra

/// Where in a file a problem was found.
public enum FileLocation: Sendable, Hashable {
    /// The file as a whole (missing, unreadable, empty).
    case file
    /// A 1-based line of a text file.
    case line(Int)
    /// A 0-based byte offset in a binary file.
    case byte(Int)
}

/// A vector file that cannot be read as asked: says which file, where, and what was wrong.
///
/// Its description is `path:line: message`, `path: byte N: message` or `path: message`.
public struct EmbeddingFileError: LocatedError, Hashable {
    /// The kinds of problems a reader reports.
    public enum Kind: Sendable, Hashable {
        case cannotOpen, empty, badHeader, truncated, raggedRow, badNumber, nonFiniteValue
        case invalidUTF8, badCompression, unsupportedVersion, unknownFormat, cannotWrite
    }

    /// The path as given by the caller.
    public let path: String
    /// Where the problem is.
    public let location: FileLocation
    /// What kind of problem it is.
    public let kind: Kind
    /// What was expected and what was found.
    public let message: String

    /// Creates an error for `path` at `location`.
    public init(path: String, location: FileLocation, kind: Kind, message: String) {
        self.path = path
        self.location = location
        self.kind = kind
        self.message = message
    }

    /// `line N`, `byte N`, or nil for the whole file.
    public var place: String? {
        switch location {
        case .file: nil
        case .line(let line): "line \(line)"
        case .byte(let offset): "byte \(offset)"
        }
    }

    /// `path:line: message`, `path: byte N: message` or `path: message`.
    public var description: String {
        switch location {
        case .file: "\(path): \(message)"
        case .line(let line): "\(path):\(line): \(message)"
        case .byte(let offset): "\(path): byte \(offset): \(message)"
        }
    }
}
