import Foundation
import LinearAlgebra

/// EmbeddingKit's native format: everything a `WordEmbeddings` needs, laid out to be used straight
/// from `mmap` — opening it reads one fixed header and validates offsets, with no O(n) work.
///
/// Layout (little-endian), version 1:
/// ```
/// 0    magic "EMBKIT\0N"            8 bytes
/// 8    version                      UInt32 (1)
/// 12   original format code         UInt32 (index in EmbeddingFormat.allCases)
/// 16   count, dimensions            UInt64, UInt64
/// 32   words blob: offset, length   UInt64, UInt64   (UTF-8, words back to back)
/// 48   word offsets: offset         UInt64           (count + 1 UInt64 into the blob)
/// 56   hash table: offset, slots    UInt64, UInt64   (UInt32 index + 1, 0 = empty; FNV-1a 64,
///                                                     linear probing, power-of-two slots)
/// 72   matrix: offset               UInt64           (count × dimensions float32, 64-aligned)
/// 80   norms: offset                UInt64           (count float32 L2 norms, 64-aligned)
/// 88   metadata: offset, length     UInt64, UInt64   (JSON: source path, size, modification time)
/// 104  duplicates dropped           UInt64
/// 112  reserved to 128
/// ```
enum NativeFormat {
    static let magic: [UInt8] = Array("EMBKIT\0N".utf8)
    static let version: UInt32 = 1
    static let headerSize = 128

    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && bytes.prefix(8).elementsEqual(magic)
    }

    /// Opens a native file without parsing: O(1) in the number of rows.
    static func open(_ source: ByteSource, options: LoadOptions) throws -> WordEmbeddings {
        let bytes = source.bytes
        guard hasMagic(bytes) else { throw source.error(.byte(0), .badHeader, "not an EmbeddingKit native file (bad magic)") }
        guard bytes.count >= headerSize else {
            throw source.error(.byte(bytes.count), .truncated, "the native header needs \(headerSize) bytes")
        }
        func field(_ offset: Int) -> Int { Int(truncatingIfNeeded: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian) }
        let version = bytes.loadUnaligned(fromByteOffset: 8, as: UInt32.self).littleEndian
        guard version == Self.version else {
            throw source.error(.byte(8), .unsupportedVersion,
                               "native format version \(version); this build reads version \(Self.version)")
        }
        guard let file = source.mappedFile else {
            throw source.error(.file, .unknownFormat, "native files are mapped, not compressed: gunzip it first")
        }
        let count = field(16), dimensions = field(24)
        let (blobOffset, blobLength, offsetsOffset) = (field(32), field(40), field(48))
        let (tableOffset, tableSlots, matrixOffset) = (field(56), field(64), field(72))
        func check(_ start: Int, _ length: Int, _ what: String, byte: Int) throws {
            let (end, overflow) = start.addingReportingOverflow(length)
            guard start >= headerSize, length >= 0, !overflow, end <= bytes.count else {
                throw source.error(.byte(byte), .truncated, "the \(what) (\(length) bytes at \(start)) lies outside the \(bytes.count)-byte file")
            }
        }
        guard count >= 0, dimensions > 0, count < Int(UInt32.max), tableSlots > 0, tableSlots & (tableSlots - 1) == 0,
              tableSlots >= count else {
            throw source.error(.byte(16), .badHeader, "impossible shape: \(count) rows, \(dimensions) dimensions, \(tableSlots) slots")
        }
        try check(blobOffset, blobLength, "word blob", byte: 32)
        try check(offsetsOffset, (count + 1) * 8, "word offsets", byte: 48)
        try check(tableOffset, tableSlots * 4, "hash table", byte: 56)
        try check(matrixOffset, count * dimensions * 4, "matrix", byte: 72)
        try check(field(80), count * 4, "norms", byte: 80)
        try check(field(88), field(96), "metadata", byte: 88)
        let base = bytes.baseAddress!
        let vocabulary = Vocabulary(storage: VocabularyStorage(
            bytes: UnsafeBufferPointer(start: (base + blobOffset).assumingMemoryBound(to: UInt8.self), count: blobLength),
            offsets: UnsafeBufferPointer(start: (base + offsetsOffset).assumingMemoryBound(to: UInt64.self), count: count + 1),
            table: UnsafeBufferPointer(start: (base + tableOffset).assumingMemoryBound(to: UInt32.self), count: tableSlots),
            keptAliveBy: file))
        let formatCode = Int(bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        let original = EmbeddingFormat.allCases.indices.contains(formatCode) ? EmbeddingFormat.allCases[formatCode] : nil
        let origin = origin(fromMetadata: UnsafeRawBufferPointer(rebasing: bytes[field(88)..<(field(88) + field(96))]))
        let metadata = EmbeddingMetadata(format: .native, sourcePath: source.path, wasCompressed: false,
                                         duplicateCount: field(104), originalFormat: original,
                                         originalPath: origin.path, originalFingerprint: origin.fingerprint)
        let norms = UnsafeBufferPointer(start: (base + field(80)).assumingMemoryBound(to: Float.self), count: count)
        let embeddings = WordEmbeddings(vocabulary: vocabulary, dimensions: dimensions,
                                        storage: .mappedMatrix(file, offset: matrixOffset), metadata: metadata,
                                        caseMatching: options.caseMatching, norms: RowNorms(mapped: norms))
        embeddings.expectRowAccess(.scattered)
        return embeddings
    }

    /// Writes `embeddings` as a native file at `path`, atomically.
    static func write(_ embeddings: WordEmbeddings, to path: String, progress: ProgressCounter? = nil) throws {
        let writer = try AtomicFileWriter(path: path)
        let count = embeddings.count, dimensions = embeddings.dimensions
        let vocabulary = embeddings.vocabulary.storage
        let blobLength = Int(vocabulary.offsets[count])
        let slots = WordHash.tableSize(for: count)
        let table = rebuiltTable(embeddings.vocabulary, slots: slots)
        // Sections follow the header in this order; the matrix and norms start 64-byte aligned.
        let blobOffset = headerSize
        let offsetsOffset = align(blobOffset + blobLength, 8)
        let tableOffset = offsetsOffset + (count + 1) * 8
        let matrixOffset = align(tableOffset + slots * 4, 64)
        let normsOffset = align(matrixOffset + count * dimensions * 4, 64)
        let metadata = try metadataJSON(embeddings)
        let metadataOffset = normsOffset + count * 4
        let original = embeddings.metadata.originalFormat ?? embeddings.metadata.format
        try magic.withUnsafeBytes { try writer.write($0) }
        try writer.writeValue(version.littleEndian)
        try writer.writeValue(UInt32(EmbeddingFormat.allCases.firstIndex(of: original)!).littleEndian)
        for value in [count, dimensions, blobOffset, blobLength, offsetsOffset, tableOffset, slots, matrixOffset,
                      normsOffset, metadataOffset, metadata.count, embeddings.metadata.duplicateCount] {
            try writer.writeValue(UInt64(value).littleEndian)
        }
        try writer.pad(toMultipleOf: headerSize)
        try writer.write(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(vocabulary.bytes)[0..<blobLength]))
        try writer.pad(toMultipleOf: 8)
        try writer.write(UnsafeRawBufferPointer(vocabulary.offsets))
        try table.withUnsafeBytes { try writer.write($0) }
        try writer.pad(toMultipleOf: 64)
        var norms = [Float](repeating: 0, count: count)
        embeddings.expectRowAccess(.sequential)
        for row in 0..<count {
            try embeddings.withRow(at: row) { address in
                try writer.write(UnsafeRawBufferPointer(start: address, count: dimensions * 4))
                norms[row] = Kernels.l2Norm(address, count: dimensions)
            }
            if row & 0x3FFF == 0 { progress?.set(row) }
        }
        try writer.pad(toMultipleOf: 64)
        try norms.withUnsafeBytes { try writer.write($0) }
        try metadata.withUnsafeBytes { try writer.write($0) }
        try writer.commit()
    }

    private static func align(_ value: Int, _ alignment: Int) -> Int { (value + alignment - 1) / alignment * alignment }

    /// The vocabulary's hash table at `slots` slots, as the native layout stores it.
    private static func rebuiltTable(_ vocabulary: Vocabulary, slots: Int) -> [UInt32] {
        var table = [UInt32](repeating: 0, count: slots)
        for index in 0..<vocabulary.count {
            var slot = Int(truncatingIfNeeded: WordHash.hash(UnsafeRawBufferPointer(vocabulary.wordBytes(at: index)))) & (slots - 1)
            while table[slot] != 0 { slot = (slot + 1) & (slots - 1) }
            table[slot] = UInt32(index + 1)
        }
        return table
    }

    /// A cheap identity of the file at `path`: its size and modification time, or nil when it
    /// cannot be read. A cache whose recorded fingerprint differs is stale.
    static func fingerprint(ofFileAt path: String) -> String? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = attributes[.size] as? NSNumber, let modified = attributes[.modificationDate] as? Date else {
            return nil
        }
        return "\(size.int64Value)-\(modified.timeIntervalSince1970)"
    }

    /// The JSON metadata block: where the vectors came from, in which format, and its fingerprint.
    private static func metadataJSON(_ embeddings: WordEmbeddings) throws -> Data {
        let metadata = embeddings.metadata
        let origin = metadata.originalPath ?? metadata.sourcePath
        let fields: [String: String] = [
            "source": origin,
            "sourceFormat": (metadata.originalFormat ?? metadata.format).rawValue,
            "fingerprint": metadata.originalFingerprint ?? fingerprint(ofFileAt: origin) ?? "",
        ]
        return try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }

    /// The `source` and `fingerprint` fields of a metadata block (nil when absent or unreadable).
    private static func origin(fromMetadata bytes: UnsafeRawBufferPointer) -> (path: String?, fingerprint: String?) {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]
        return (object?["source"], object?["fingerprint"])
    }
}
