import CZlib

/// Incremental zlib inflation of a whole gzip file (all members; trailing zero padding allowed).
///
/// A class with the `z_stream` on the heap: zlib keeps a pointer back to it, so it must not move.
final class GzipStream {
    private let input: UnsafeRawBufferPointer
    private let path: String
    /// The mapping `input` lies in, whose pages are released once inflated.
    private let file: MappedFile?
    private var released = 0
    private let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    private var consumed = 0
    private var memberFinished = false
    private var started = false

    init(input: UnsafeRawBufferPointer, path: String, releasing file: MappedFile? = nil) {
        self.input = input
        self.path = path
        self.file = file
        stream.initialize(to: z_stream())
    }

    deinit {
        if started { inflateEnd(stream) }
        stream.deallocate()
    }

    /// How many compressed bytes have been inflated so far.
    var consumedBytes: Int { consumed }

    /// Whether `bytes` start with the gzip magic number.
    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The first `length` inflated bytes (fewer when the stream is shorter), for format detection.
    static func inflatePrefix(_ input: UnsafeRawBufferPointer, path: String, length: Int) throws -> OwnedBytes {
        let output = OwnedBytes(capacity: length)
        _ = try GzipStream(input: input, path: path).inflate(into: output, upTo: length)
        return output
    }

    /// Inflates the whole of `input` into memory.
    static func inflateAll(_ input: UnsafeRawBufferPointer, path: String) throws -> OwnedBytes {
        // The trailer holds the last member's size modulo 2³²: a good first guess at the capacity.
        let trailerSize = input.count >= 4
            ? Int(input.loadUnaligned(fromByteOffset: input.count - 4, as: UInt32.self).littleEndian) : 0
        let output = OwnedBytes(capacity: max(trailerSize + 1, input.count * 3))
        let stream = GzipStream(input: input, path: path)
        while try !stream.inflate(into: output, upTo: 1 << 30) {}
        return output
    }

    /// Appends up to about `limit` inflated bytes to `output`.
    /// - Returns: true when the whole stream has been inflated.
    /// - Throws: `.badCompression` for a corrupt or truncated stream.
    func inflate(into output: OwnedBytes, upTo limit: Int) throws -> Bool {
        if !started {
            guard inflateInit2_(stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw error(.file, "zlib could not start")
            }
            started = true
        }
        let target = output.count + limit
        while output.count < target {
            if memberFinished {
                // Another gzip member may follow; trailing zero padding is allowed.
                if input[consumed...].allSatisfy({ $0 == 0 }) { return true }
                guard inflateReset(stream) == Z_OK else { throw corrupt() }
                memberFinished = false
            }
            guard consumed < input.count else {
                throw error(.byte(input.count), "the gzip stream is truncated")
            }
            let inputChunk = min(input.count - consumed, 1 << 30)
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: UInt8.self) + consumed)
            stream.pointee.avail_in = UInt32(inputChunk)
            let tail = output.reserveTail(minimum: min(1 << 20, target - output.count))
            let outputChunk = min(tail.count, target - output.count)
            stream.pointee.next_out = tail.baseAddress!.assumingMemoryBound(to: UInt8.self)
            stream.pointee.avail_out = UInt32(outputChunk)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            output.didAppend(outputChunk - Int(stream.pointee.avail_out))
            consumed += inputChunk - Int(stream.pointee.avail_in)
            if let file, consumed - released > 32 << 20 {
                file.release(released..<consumed)
                released = consumed
            }
            if status == Z_STREAM_END {
                memberFinished = true
            } else if status != Z_OK {
                throw corrupt()
            }
        }
        if memberFinished && input[consumed...].allSatisfy({ $0 == 0 }) { return true }
        return false
    }

    private func corrupt() -> EmbeddingFileError {
        let reason = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error"
        return error(.byte(consumed), "corrupt gzip stream: \(reason)")
    }

    private func error(_ location: FileLocation, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: location, kind: .badCompression, message: message)
    }
}
