import CZlib
import Foundation

/// Whole-file reads for image data: gzip files (two magic bytes 1F 8B) are inflated, with a
/// ceiling on the inflated size so a small hostile file cannot claim unbounded memory.
enum FileBytes {
    /// The bytes of `path`, inflated when gzipped.
    /// - Throws: `ImageFileError` for an unreadable file, a damaged gzip stream, or more than
    ///   `limit` inflated bytes.
    static func read(_ path: String, limit: Int = 1 << 32) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageFileError(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        let bytes = [UInt8](data)
        guard bytes.count >= 2, bytes[0] == 0x1F, bytes[1] == 0x8B else { return bytes }
        return try inflate(bytes, path: path, limit: limit)
    }

    private static func inflate(_ compressed: [UInt8], path: String, limit: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw ImageFileError(path: path, message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        return try compressed.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            stream.avail_in = UInt32(input.count)
            while true {
                let status = chunk.withUnsafeMutableBufferPointer { buffer -> Int32 in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    return CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk.count - Int(stream.avail_out)
                output.append(contentsOf: chunk[0..<produced])
                guard output.count <= limit else {
                    throw ImageFileError(path: path, message: "inflates to more than \(limit) bytes")
                }
                let consumed = input.count - Int(stream.avail_in)
                switch status {
                case Z_STREAM_END:
                    // Another gzip member may follow (concatenated files); trailing zeros are padding.
                    if input[consumed...].allSatisfy({ $0 == 0 }) { return output }
                    guard inflateReset(&stream) == Z_OK else {
                        throw ImageFileError(path: path, byteOffset: consumed, message: "bad gzip member")
                    }
                case Z_OK:
                    if produced == 0 && stream.avail_in == 0 {
                        throw ImageFileError(path: path, byteOffset: consumed, message: "the gzip stream is truncated")
                    }
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw ImageFileError(path: path, byteOffset: consumed, message: "the gzip stream is truncated")
                default:
                    throw ImageFileError(path: path, byteOffset: consumed, message: "damaged gzip data")
                }
            }
        }
    }
}
