import LinearAlgebra

/// An ONNX file that cannot be used: names the file and the byte offset or the graph node.
public struct ONNXError: LocatedError, Hashable {
    /// The model file.
    public let path: String
    /// The byte offset of the problem in the file, when it is one of decoding.
    public let byteOffset: Int?
    /// The node (its name, or its op type and index when unnamed), when the problem is one of the graph.
    public let node: String?
    /// What is wrong.
    public let message: String

    /// An error about `path`.
    public init(path: String, byteOffset: Int? = nil, node: String? = nil, message: String) {
        self.path = path
        self.byteOffset = byteOffset
        self.node = node
        self.message = message
    }

    /// `byte N`, `node X`, or nil for the whole file.
    public var place: String? { byteOffset.map { "byte \($0)" } ?? node.map { "node \($0)" } }

    /// `path: byte N: message`, `path: node X: message` or `path: message`.
    public var description: String {
        if let byteOffset { return "\(path): byte \(byteOffset): \(message)" }
        if let node { return "\(path): node \(node): \(message)" }
        return "\(path): \(message)"
    }
}

extension Array where Element: BinaryInteger {
    /// The values for an error message: all of them up to 8, else the count and the first 8 (a
    /// hostile file can hold millions, which must not become a message of megabytes).
    var abbreviated: String {
        count <= 8 ? "\(self)" : "[\(prefix(8).map { "\($0)" }.joined(separator: ", ")), … (\(count) values)]"
    }
}
