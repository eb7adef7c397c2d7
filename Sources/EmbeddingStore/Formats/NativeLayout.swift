extension NativeFormat {
    /// Where a native file's sections are, read from its header and checked to lie inside the
    /// file (with overflow-checked arithmetic) before any of them is touched.
    struct Layout {
        let version: UInt32
        let count: Int, dimensions: Int, slots: Int, duplicates: Int
        let blob: Range<Int>, offsets: Range<Int>, table: Range<Int>, matrix: Range<Int>, norms: Range<Int>, metadata: Range<Int>
        /// The checksum section (versions 2 and 3), which ends the file.
        let checksums: Range<Int>?
        /// How the matrix stores its values (always float32 before version 3).
        let precision: VectorPrecision
        /// The largest cosine error of a compact row (0 for float32).
        let cosineErrorBound: Float
        /// One float32 scale per row (int8 files).
        let rowScales: Range<Int>?
        /// A float32 copy of every row beside a compact matrix, for exact answers.
        let exactCopy: Range<Int>?

        /// The bytes of one stored row.
        var rowBytes: Int { dimensions * precision.bytesPerValue }

        /// Reads and checks the header of `source`.
        /// - Throws: `EmbeddingFileError` naming the byte of the first bad field.
        init(_ source: ByteSource) throws {
            let bytes = source.bytes
            guard hasMagic(bytes) else { throw source.error(.byte(0), .badHeader, "not an EmbeddingKit native file (bad magic)") }
            guard bytes.count >= 12 else { throw source.error(.byte(bytes.count), .truncated, "the native header is cut short") }
            version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
            guard (1...NativeFormat.version).contains(version) else {
                throw source.error(.byte(8), .unsupportedVersion, "native format version \(version); this build reads versions 1 to \(NativeFormat.version)")
            }
            let headerSize = NativeFormat.headerSize(version: version)
            guard bytes.count >= headerSize else {
                throw source.error(.byte(bytes.count), .truncated, "the native header needs \(headerSize) bytes")
            }
            if let checked = NativeFormat.checkedHeaderBytes(version: version) {
                let stored = bytes.loadUnaligned(fromByteOffset: checked, as: UInt32.self).littleEndian
                guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[0..<checked])) == stored else {
                    throw source.error(.byte(0), .badHeader, "the header (bytes 0–\(checked)) does not match its checksum: the file is damaged")
                }
            }
            func field(_ offset: Int) -> Int {
                let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian
                return value > UInt64(Int.max) ? -1 : Int(value)
            }
            (count, dimensions, slots, duplicates) = (field(16), field(24), field(64), field(104))
            guard count >= 0, count < Int(UInt32.max), dimensions > 0, dimensions <= 1 << 24, slots > 0, slots & (slots - 1) == 0,
                  slots >= count, slots <= 1 << 34 else {
                throw source.error(.byte(16), .badHeader, "impossible shape: \(count) rows, \(dimensions) dimensions, \(slots) slots")
            }
            if version >= 3 {
                let code = bytes.loadUnaligned(fromByteOffset: 120, as: UInt32.self).littleEndian
                guard let stored = VectorPrecision(code: code) else {
                    throw source.error(.byte(120), .badHeader, "unknown value precision \(code) (0 float32, 1 float16, 2 int8)")
                }
                precision = stored
                cosineErrorBound = Float(bitPattern: bytes.loadUnaligned(fromByteOffset: 124, as: UInt32.self).littleEndian)
                guard cosineErrorBound.isFinite, cosineErrorBound >= 0 else {
                    throw source.error(.byte(124), .badHeader, "impossible cosine error bound \(cosineErrorBound)")
                }
            } else {
                (precision, cosineErrorBound) = (.float32, 0)
            }
            func section(_ start: Int, _ length: Int?, _ what: String, byte: Int) throws -> Range<Int> {
                guard let length, start >= headerSize, length >= 0 else {
                    throw source.error(.byte(byte), .badHeader, "the \(what) has an impossible offset or length")
                }
                let (end, overflow) = start.addingReportingOverflow(length)
                guard !overflow, end <= bytes.count else {
                    throw source.error(.byte(byte), .truncated, "the \(what) (\(length) bytes at \(start)) lies outside the \(bytes.count)-byte file")
                }
                return start..<end
            }
            func product(_ factors: Int...) -> Int? {
                factors.reduce(Int?(1)) { total, factor in
                    guard let total else { return nil }
                    let (value, overflow) = total.multipliedReportingOverflow(by: factor)
                    return overflow ? nil : value
                }
            }
            blob = try section(field(32), field(40), "word blob", byte: 32)
            offsets = try section(field(48), product(count + 1, 8), "word offsets", byte: 48)
            table = try section(field(56), product(slots, 4), "hash table", byte: 56)
            matrix = try section(field(72), product(count, dimensions, precision.bytesPerValue), "matrix", byte: 72)
            norms = try section(field(80), product(count, 4), "norms", byte: 80)
            metadata = try section(field(88), field(96), "metadata", byte: 88)
            if version >= 3, precision == .int8 {
                rowScales = try section(field(128), product(count, 4), "row scales", byte: 128)
            } else {
                rowScales = nil
            }
            if version >= 3, field(136) != 0 {
                guard precision != .float32 else {
                    throw source.error(.byte(136), .badHeader, "a float32 file names a separate float32 copy")
                }
                exactCopy = try section(field(136), product(count, dimensions, 4), "float32 copy", byte: 136)
            } else {
                exactCopy = nil
            }
            guard offsets.lowerBound % 8 == 0, table.lowerBound % 4 == 0, matrix.lowerBound % 4 == 0, norms.lowerBound % 4 == 0,
                  (rowScales?.lowerBound ?? 0) % 4 == 0, (exactCopy?.lowerBound ?? 0) % 4 == 0 else {
                throw source.error(.byte(48), .badHeader, "a section is not aligned to its element size")
            }
            if version >= 2 {
                let start = field(112)
                checksums = try section(start, bytes.count - max(start, 0), "checksum section", byte: 112)
            } else {
                checksums = nil
            }
        }
    }

    /// The bytes before the first section of a file of `version`.
    static func headerSize(version: UInt32) -> Int { version >= 3 ? 192 : 128 }

    /// Where the header's CRC-32 (of every byte before it) sits; nil for version 1.
    static func checkedHeaderBytes(version: UInt32) -> Int? {
        switch version {
        case 1: nil
        case 2: 120
        default: 188
        }
    }
}
