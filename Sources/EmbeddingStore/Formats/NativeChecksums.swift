import LinearAlgebra
import Synchronization

/// The checksum section of a native file (versions 2 and 3), at the offset header byte 112 gives,
/// ending the file (little-endian):
/// ```
/// matrix block size in bytes        UInt64 (16 MiB)
/// block count                       UInt64 (the matrix's blocks, then the float32 copy's)
/// CRC-32 of the word blob, the word offsets, the hash table, the norms, the metadata, and (version 3)
///   the row scales (0 when the file has none)                              5 or 6 × UInt32
/// CRC-32 of each matrix block, then of each float32-copy block            block count × UInt32
/// CRC-32 of the section's bytes before this field   UInt32
/// ```
/// The header has its own CRC-32 (at byte 120 in version 2, 188 in version 3). Any changed byte of
/// the file is found by the check of the section it falls in.
struct NativeChecksums {
    /// The matrix is checked in blocks of this many bytes (in parallel, and to say where).
    static let blockBytes = 16 << 20
    static let sectionNames = ["word blob", "word offsets", "hash table", "norms", "metadata", "row scales"]

    /// CRC-32 of the blob, offsets, table, norms, metadata (and row scales), in that order.
    var sections: [UInt32]
    /// CRC-32 of each matrix block.
    var matrixBlocks: [UInt32]
    /// CRC-32 of each block of the float32 copy (empty without one).
    var copyBlocks: [UInt32]

    /// The number of section checksums a file of `version` stores.
    static func sectionCount(version: UInt32) -> Int { version >= 3 ? 6 : 5 }

    static func blockCount(_ bytes: Int) -> Int { (bytes + blockBytes - 1) / blockBytes }

    /// The encoded section.
    var encoded: [UInt8] {
        var bytes: [UInt8] = []
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
        append(UInt64(Self.blockBytes))
        append(UInt64(matrixBlocks.count + copyBlocks.count))
        sections.forEach(append)
        matrixBlocks.forEach(append)
        copyBlocks.forEach(append)
        append(bytes.withUnsafeBytes { Checksum.crc32($0) })
        return bytes
    }

    /// Decodes the section at `range` of `source`, checking its own CRC and its block layout.
    init(_ source: ByteSource, at range: Range<Int>, layout: NativeFormat.Layout) throws {
        let bytes = UnsafeRawBufferPointer(rebasing: source.bytes[range])
        let sectionCount = Self.sectionCount(version: layout.version)
        let matrixCount = Self.blockCount(layout.matrix.count), copyCount = Self.blockCount(layout.exactCopy?.count ?? 0)
        let expectedLength = 16 + 4 * sectionCount + 4 * (matrixCount + copyCount) + 4
        guard bytes.count == expectedLength else {
            throw source.error(.byte(range.lowerBound), .truncated,
                               "the checksum section holds \(bytes.count) bytes; the file's sections need \(expectedLength)")
        }
        func word(_ offset: Int) -> UInt32 { bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian }
        let stored = word(bytes.count - 4)
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 4)])) == stored,
              bytes.loadUnaligned(as: UInt64.self).littleEndian == UInt64(Self.blockBytes) else {
            throw source.error(.byte(range.lowerBound), .badHeader, "the checksum section is damaged (its own checksum does not match)")
        }
        sections = (0..<sectionCount).map { word(16 + 4 * $0) }
        let blocks = 16 + 4 * sectionCount
        matrixBlocks = (0..<matrixCount).map { word(blocks + 4 * $0) }
        copyBlocks = (0..<copyCount).map { word(blocks + 4 * (matrixCount + $0)) }
    }

    init(sections: [UInt32], matrixBlocks: [UInt32], copyBlocks: [UInt32]) {
        self.sections = sections
        self.matrixBlocks = matrixBlocks
        self.copyBlocks = copyBlocks
    }

    /// Checks section `index` (see `sectionNames`) at `range`.
    func check(_ index: Int, _ source: ByteSource, _ range: Range<Int>) throws {
        guard Checksum.crc32(UnsafeRawBufferPointer(rebasing: source.bytes[range])) == sections[index] else {
            throw source.error(.byte(range.lowerBound), .badHeader,
                               "the \(Self.sectionNames[index]) (bytes \(range.lowerBound)–\(range.upperBound)) does not match its checksum: the file is damaged")
        }
    }

    /// Checks every block (on all cores) of the matrix `name` at `range`, whose rows are
    /// `rowBytes` long, against `blocks`.
    func checkMatrix(_ source: ByteSource, _ range: Range<Int>, rowBytes: Int, blocks: [UInt32], name: String = "matrix") throws {
        let damaged = Mutex<Int?>(nil)
        let base = SharedReadOnlyPointer(base: UnsafeRawPointer(source.bytes.baseAddress!))
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
                               "the \(name) (bytes \(start)–\(end), rows \(firstRow)–\(lastRow)) does not match its checksum: the file is damaged")
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
