import CZlib

/// The bytes a reader parses: a mapped file, or the inflated contents of a gzip file, together
/// with the object that keeps them alive.
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

    /// Maps `path`, inflating it first when it starts with the gzip magic.
    static func open(path: String) throws -> ByteSource {
        let file = try MappedFile(path: path)
        if file.count >= 2 && file.bytes[0] == 0x1F && file.bytes[1] == 0x8B {
            let inflated = try GzipInflater.inflate(file.bytes, path: path)
            return ByteSource(path: path, bytes: inflated.bytes, owner: inflated, mappedFile: nil, wasCompressed: true)
        }
        return ByteSource(path: path, bytes: file.bytes, owner: file, mappedFile: file, wasCompressed: false)
    }

    func error(_ location: FileLocation, _ kind: EmbeddingFileError.Kind, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: location, kind: kind, message: message)
    }
}

/// A heap block of bytes freed with its owner.
///
/// `@unchecked Sendable` is safe because it is only read after it has been filled.
final class OwnedBytes: @unchecked Sendable {
    private(set) var storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: max(1, capacity), alignment: 64)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }

    /// Free space at the end, growing the block when less than `minimum` bytes are left.
    func reserveTail(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if storage.count - count < minimum {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, count + minimum), alignment: 64)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
            storage.deallocate()
            storage = larger
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[count...])
    }

    func didAppend(_ byteCount: Int) { count += byteCount }

    deinit { storage.deallocate() }
}

/// Inflates gzip data (all members of a multi-member file) with zlib.
enum GzipInflater {
    static func inflate(_ input: UnsafeRawBufferPointer, path: String) throws -> OwnedBytes {
        // The trailer holds the last member's size modulo 2³²: a good first guess at the capacity.
        let trailerSize = input.count >= 4 ? Int(input.loadUnaligned(fromByteOffset: input.count - 4, as: UInt32.self).littleEndian) : 0
        let output = OwnedBytes(capacity: max(trailerSize + 1, input.count * 3))
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw EmbeddingFileError(path: path, location: .file, kind: .badCompression, message: "zlib could not start")
        }
        defer { inflateEnd(&stream) }
        var consumed = 0
        var memberFinished = false
        while true {
            if memberFinished {
                // Another gzip member may follow; trailing zero padding is allowed.
                if input[consumed...].allSatisfy({ $0 == 0 }) { return output }
                guard inflateReset(&stream) == Z_OK else { break }
                memberFinished = false
            }
            guard consumed < input.count else {
                throw EmbeddingFileError(path: path, location: .byte(input.count), kind: .badCompression,
                                         message: "the gzip stream is truncated")
            }
            let inputChunk = min(input.count - consumed, Int(UInt32.max))
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self) + consumed)
            stream.avail_in = UInt32(inputChunk)
            let tail = output.reserveTail(minimum: 1 << 20)
            let outputChunk = min(tail.count, Int(UInt32.max))
            stream.next_out = tail.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.avail_out = UInt32(outputChunk)
            let status = CZlib.inflate(&stream, Z_NO_FLUSH)
            output.didAppend(outputChunk - Int(stream.avail_out))
            consumed += inputChunk - Int(stream.avail_in)
            if status == Z_STREAM_END {
                memberFinished = true
            } else if status != Z_OK {
                break
            }
        }
        let reason = stream.msg.map { String(cString: $0) } ?? "zlib error"
        throw EmbeddingFileError(path: path, location: .byte(consumed), kind: .badCompression,
                                 message: "corrupt gzip stream: \(reason)")
    }
}
