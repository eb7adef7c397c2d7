import LinearAlgebra
import Synchronization

/// The checksum section of a version-2 native file, at the offset header byte 112 gives, ending
/// the file (little-endian):
/// ```
/// matrix block size in bytes        UInt64 (16 MiB)
/// matrix block count                UInt64
/// CRC-32 of the word blob, the word offsets, the hash table, the norms, the metadata   5 × UInt32
/// CRC-32 of each matrix block       block count × UInt32
/// CRC-32 of the section's bytes before this field   UInt32
/// ```
/// The header's bytes 0..<120 have their own CRC-32 at byte 120. Any changed byte of the file
/// is found by the check of the section it falls in.
struct NativeChecksums {
    /// The matrix is checked in blocks of this many bytes (in parallel, and to say where).
    static let blockBytes = 16 << 20
    static let sectionNames = ["word blob", "word offsets", "hash table", "norms", "metadata"]

    /// CRC-32 of the blob, offsets, table, norms and metadata, in that order.
    var sections: [UInt32]
    /// CRC-32 of each matrix block.
    var matrixBlocks: [UInt32]

    /// The encoded section's length for a matrix of `matrixBytes`.
    static func encodedLength(matrixBytes: Int) -> Int {
        16 + 4 * sectionNames.count + 4 * blockCount(matrixBytes) + 4
    }

    static func blockCount(_ matrixBytes: Int) -> Int { (matrixBytes + blockBytes - 1) / blockBytes }

    /// The encoded section.
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append(UInt64(Self.blockBytes))
        append(UInt64(matrixBlocks.count))
        sections.forEach(append)
        matrixBlocks.forEach(append)
        append(bytes.withUnsafeBytes { Checksum.crc32($0) })
        return bytes
    }

    /// Decodes the section at `range` of `source`, checking its own CRC and its block layout.
    init(_ source: ByteSource, at range: Range<Int>, matrixBytes: Int) throws {
        let bytes = UnsafeRawBufferPointer(rebasing: source.bytes[range])
        let expectedLength = Self.encodedLength(matrixBytes: matrixBytes)
        guard bytes.count == expectedLength else {
            throw source.error(.byte(range.lowerBound), .truncated,
                               "the checksum section holds \(bytes.count) bytes; a \(matrixBytes)-byte matrix needs \(expectedLength)")
        }
        func word(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
        let stored = word(bytes.count - 4)
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)])) == stored,
              bytes.loadUnaligned(as: UInt64.self).littleEndian == UInt64(Self.blockBytes) else {
            throw source.error(.byte(range.lowerBound), .badHeader, "the checksum section is damaged (its own checksum does not match)")
        }
        sections = (0..<Self.sectionNames.count).map { word(16 + 4 * $0) }
        matrixBlocks = (0..<Self.blockCount(matrixBytes)).map { word(16 + 4 * Self.sectionNames.count + 4 * $0) }
    }

    init(sections: [UInt32], matrixBlocks: [UInt32]) {
        self.sections = sections
        self.matrixBlocks = matrixBlocks
    }

    /// Checks section `index` (see `sectionNames`) at `range`.
    func check(_ index: Int, _ source: ByteSource, _ range: Range<Int>) throws {
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: source.bytes[range])) == sections[index] else {
            throw source.error(.byte(range.lowerBound), .badHeader,
                               "the \(Self.sectionNames[index]) (bytes \(range.lowerBound)–\(range.upperBound)) does not match its checksum: the file is damaged")
        }
    }

    /// Checks every matrix block (on all cores) of the matrix at `range`, whose rows are `rowBytes` long.
    func checkMatrix(_ source: ByteSource, _ range: Range<Int>, rowBytes: Int) throws {
        let damaged = Mutex<Int?>(nil)
        let base = SharedReadOnlyPointer(base: UnsafeRawPointer(source.bytes.baseAddress!))
        let blocks = matrixBlocks
        Parallelism.available.forEachChunk(of: blocks.count) { chunk in
            for block in chunk {
                let start = range.lowerBound + block * Self.blockBytes, end = min(range.upperBound, start + Self.blockBytes)
                if Checksum.crc32(UnsafeRawBufferPointer(start: base.base + start, count: end - start)) != blocks[block] {
                    damaged.withLock { $0 = min($0 ?? block, block) }
                }
            }
        }
        if let block = damaged.withLock({ $0 }) {
            let start = range.lowerBound + block * Self.blockBytes, end = min(range.upperBound, start + Self.blockBytes)
            let firstRow = (start - range.lowerBound) / rowBytes, lastRow = (end - range.lowerBound - 1) / rowBytes
            throw source.error(.byte(start), .badHeader,
                               "the matrix (bytes \(start)–\(end), rows \(firstRow)–\(lastRow)) does not match its checksum: the file is damaged")
        }
    }
}

/// CRC-32 of a matrix written row by row, one value per block of `NativeChecksums.blockBytes`.
struct BlockChecksummer {
    private(set) var blocks: [UInt32] = []
    private var current: UInt32 = 0
    private var filled = 0

    /// Adds the next bytes of the matrix.
    mutating func add(_ bytes: UnsafeRawBufferPointer) {
        var offset = 0
        while offset < bytes.count {
            let take = min(bytes.count - offset, NativeChecksums.blockBytes - filled)
            current = Checksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + take)]), continuing: current)
            filled += take
            offset += take
            if filled == NativeChecksums.blockBytes {
                blocks.append(current)
                (current, filled) = (0, 0)
            }
        }
    }

    /// Every block's CRC, the last (partial) block included.
    mutating func finish() -> [UInt32] {
        if filled > 0 { blocks.append(current) }
        (current, filled) = (0, 0)
        return blocks
    }
}
