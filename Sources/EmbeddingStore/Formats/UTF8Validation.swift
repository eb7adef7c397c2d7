import Foundation

/// UTF-8 checks for words and texts read from files.
public enum UTF8Validation {
    /// The whole file at `path` as text.
    /// - Throws: `EmbeddingFileError` `.cannotOpen`, or `.invalidUTF8` with the byte offset.
    public static func text(ofFileAt path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen, message: "cannot open")
        }
        if let bad = data.withUnsafeBytes({ firstInvalidOffset($0) }) {
            throw EmbeddingFileError(path: path, location: .byte(bad), kind: .invalidUTF8, message: "invalid UTF-8")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// The offset of the first byte that does not belong to a valid UTF-8 sequence, or nil.
    /// - Complexity: O(n).
    public static func firstInvalidOffset(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int, minimum: UInt32
            switch lead {
            case 0xC2...0xDF: (length, minimum) = (2, 0x80)
            case 0xE0...0xEF: (length, minimum) = (3, 0x800)
            case 0xF0...0xF4: (length, minimum) = (4, 0x10000)
            default: return index
            }
            guard index + length <= count else { return index }
            var scalar = UInt32(lead) & (0xFF >> (length + 1))
            for offset in 1..<length {
                let next = bytes[index + offset]
                guard next & 0xC0 == 0x80 else { return index }
                scalar = scalar << 6 | UInt32(next & 0x3F)
            }
            guard scalar >= minimum, scalar <= 0x10FFFF, !(0xD800...0xDFFF).contains(scalar) else { return index }
            index += length
        }
        return nil
    }

    /// The word's bytes, repaired under `decoding`, passed to `body`; throws for strict decoding of
    /// invalid bytes, naming `byteOffset + ` the offset of the first bad byte.
    static func withValidWord<R>(
        _ bytes: UnsafeRawBufferPointer, decoding: LoadOptions.TextDecoding,
        error: (_ badByte: Int) -> EmbeddingFileError, _ body: (UnsafeRawBufferPointer) -> R
    ) throws -> R {
        guard let bad = firstInvalidOffset(bytes) else { return body(bytes) }
        guard decoding == .lossy else { throw error(bad) }
        var repaired = String(decoding: bytes, as: UTF8.self)
        return repaired.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }
}
