import EmbeddingStore
import Foundation

/// The lines of a file or of standard input, read in 1 MiB chunks, so a corpus of any size is
/// read with memory bounded by its longest line.
///
/// Lines end at `\n`; a `\r` before it is dropped; the last line needs no terminator.
public struct LineStream {
    /// One line, without its terminator.
    public struct Line {
        /// The line's bytes.
        public let bytes: ArraySlice<UInt8>
        /// Its 1-based line number.
        public let number: Int
        /// The file offset of its first byte.
        public let offset: Int

        /// The line as text.
        /// - Throws: `EmbeddingFileError.invalidUTF8` naming `path`, the line and the byte offset.
        public func text(in path: String) throws -> String {
            if let bad = bytes.withUnsafeBytes({ UTF8Validation.firstInvalidOffset($0) }) {
                throw EmbeddingFileError(path: path, location: .line(number), kind: .invalidUTF8,
                                         message: "invalid UTF-8 (byte \(offset + bad) of the file)")
            }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The path the lines come from, for messages (`-` for standard input).
    public let path: String
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var bufferOffset = 0
    private var lineNumber = 0
    private var finished = false

    /// Reads the file at `path`, or standard input when `path` is `-`.
    /// - Throws: `EmbeddingFileError.cannotOpen` when the file cannot be opened or is a folder.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            handle = .standardInput
            return
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue,
              let handle = FileHandle(forReadingAtPath: path) else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen, message: "cannot open")
        }
        self.handle = handle
    }

    /// The next line, or nil after the last.
    public mutating func next() -> Line? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                let end = newline > position && buffer[newline - 1] == 0x0D ? newline - 1 : newline
                defer { position = newline + 1 }
                return makeLine(buffer[position..<end])
            }
            if finished {
                guard position < buffer.count else { return nil }
                defer { position = buffer.count }
                return makeLine(buffer[position...])
            }
            bufferOffset += position
            buffer.removeFirst(position)
            position = 0
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { finished = true } else { buffer.append(contentsOf: chunk) }
        }
    }

    /// The next line as text, or nil after the last.
    /// - Throws: `EmbeddingFileError.invalidUTF8` naming the line and the byte offset.
    public mutating func nextText() throws -> (text: String, number: Int)? {
        guard let line = next() else { return nil }
        return (try line.text(in: path), line.number)
    }

    private mutating func makeLine(_ bytes: ArraySlice<UInt8>) -> Line {
        lineNumber += 1
        return Line(bytes: bytes, number: lineNumber, offset: bufferOffset + bytes.startIndex)
    }
}
