import LinearAlgebra

/// An image or image-set file that cannot be read: names the file and, where known, the byte.
public struct ImageFileError: LocatedError, Hashable {
    /// The file (or folder).
    public let path: String
    /// The byte offset of the problem (nil when it concerns the whole file).
    public let byteOffset: Int?
    /// What is wrong.
    public let message: String

    /// An error about `path`.
    public init(path: String, byteOffset: Int? = nil, message: String) {
        self.path = path
        self.byteOffset = byteOffset
        self.message = message
    }

    /// `byte N`, or nil for the whole file.
    public var place: String? { byteOffset.map { "byte \($0)" } }

    /// `path: byte N: message`, or `path: message`.
    public var description: String {
        byteOffset.map { "\(path): byte \($0): \(message)" } ?? "\(path): \(message)"
    }
}
