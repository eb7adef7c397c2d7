import Foundation
import LinearAlgebra

/// EmbeddingKit's native format: everything a `WordEmbeddings` needs, laid out to be used straight
/// from `mmap` — opening it reads one fixed header and validates offsets, with no O(n) work.
///
/// Layout (little-endian), version 3:
/// ```
/// 0    magic "EMBKIT\0N"            8 bytes
/// 8    version                      UInt32 (3; versions 1 and 2 still open)
/// 12   original format code         UInt32 (index in EmbeddingFormat.allCases)
/// 16   count, dimensions            UInt64, UInt64
/// 32   words blob: offset, length   UInt64, UInt64   (UTF-8, words back to back)
/// 48   word offsets: offset         UInt64           (count + 1 UInt64 into the blob)
/// 56   hash table: offset, slots    UInt64, UInt64   (UInt32 index + 1, 0 = empty; FNV-1a 64,
///                                                     linear probing, power-of-two slots)
/// 72   matrix: offset               UInt64           (count × dimensions values, 64-aligned)
/// 80   norms: offset                UInt64           (count float32 L2 norms of the float32 rows)
/// 88   metadata: offset, length     UInt64, UInt64   (JSON: source path and content fingerprint)
/// 104  duplicates dropped           UInt64
/// 112  checksums: offset            UInt64           (`NativeChecksums`, 8-aligned, ends the file)
/// 120  precision                    UInt32           (0 float32, 1 float16, 2 int8: `VectorPrecision`)
/// 124  cosine error bound           Float32          (max |x̂ − x| / |x| over the rows; 0 for float32)
/// 128  row scales: offset           UInt64           (int8: count float32, 64-aligned; else 0)
/// 136  float32 copy: offset         UInt64           (compact files: count × dimensions float32, or 0)
/// 144  reserved (0) to 188
/// 188  CRC-32 of bytes 0..<188      UInt32
/// ```
/// Version 2 had a 128-byte header, float32 only, its CRC-32 of bytes 0..<120 at byte 120;
/// version 1 had no checksums.
enum NativeFormat {
    static let magic: [UInt8] = Array("EMBKIT\0N".utf8)
    static let version: UInt32 = 3

    static func hasMagic(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 8 && bytes.prefix(8).elementsEqual(magic)
    }

    /// Opens a native file without parsing: after the checks `options.verification` asks for,
    /// O(1) work in the number of rows besides an O(count) pass over the word offsets.
    /// - Throws: `EmbeddingFileError` naming the byte of a bad header field, a section outside the
    ///   file, or the section whose checksum does not match.
    static func open(_ source: ByteSource, options: LoadOptions) throws -> WordEmbeddings {
        let layout = try Layout(source)
        let bytes = source.bytes
        guard let file = source.mappedFile else {
            throw source.error(.file, .unknownFormat, "native files are mapped, not compressed: gunzip it first")
        }
        try verify(source, layout, level: options.verification)
        let base = bytes.baseAddress!
        let offsets = UnsafeBufferPointer(start: (base + layout.offsets.lowerBound).assumingMemoryBound(to: UInt64.self), count: layout.count + 1)
        try checkWordOffsets(offsets, blobLength: layout.blob.count, source: source, at: layout.offsets.lowerBound)
        let table = UnsafeBufferPointer(start: (base + layout.table.lowerBound).assumingMemoryBound(to: UInt32.self), count: layout.slots)
        if let bad = table.firstIndex(where: { Int($0) > layout.count }) {
            throw source.error(.byte(layout.table.lowerBound + 4 * bad), .badHeader, "hash table slot \(bad) names row \(table[bad]) of \(layout.count)")
        }
        let vocabulary = Vocabulary(storage: VocabularyStorage(
            bytes: UnsafeBufferPointer(start: (base + layout.blob.lowerBound).assumingMemoryBound(to: UInt8.self), count: layout.blob.count),
            offsets: offsets, table: table, keptAliveBy: file))
        let formatCode = Int(bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self).littleEndian)
        let original = EmbeddingFormat.allCases.indices.contains(formatCode) ? EmbeddingFormat.allCases[formatCode] : nil
        let origin = origin(fromMetadata: UnsafeRawBufferPointer(rebasing: bytes[layout.metadata]))
        let metadata = EmbeddingMetadata(format: .native, sourcePath: source.path, wasCompressed: false,
                                         duplicateCount: layout.duplicates, originalFormat: original,
                                         originalPath: origin.path, originalFingerprint: origin.fingerprint)
        let norms = UnsafeBufferPointer(start: (base + layout.norms.lowerBound).assumingMemoryBound(to: Float.self), count: layout.count)
        let storage: VectorStorage
        if layout.precision == .float32 {
            storage = .mappedMatrix(file, offset: layout.matrix.lowerBound)
        } else {
            storage = .compact(CompactRows(
                file: file, precision: layout.precision, dimensions: layout.dimensions, codes: base + layout.matrix.lowerBound,
                scales: layout.rowScales.map { (base + $0.lowerBound).assumingMemoryBound(to: Float.self) },
                exactCopy: layout.exactCopy.map { base + $0.lowerBound }, cosineErrorBound: layout.cosineErrorBound))
        }
        let embeddings = WordEmbeddings(vocabulary: vocabulary, dimensions: layout.dimensions, storage: storage, metadata: metadata,
                                        caseMatching: options.caseMatching, norms: RowNorms(mapped: norms))
        embeddings.expectRowAccess(.scattered)
        return embeddings
    }

    /// Checks the sections of a version-2 or -3 file against their checksums: the header, words,
    /// table and metadata always; the norms, row scales, matrix and float32 copy under `.full`, or
    /// `.automatic` for files up to `LoadOptions.Verification.automaticFullLimit` bytes.
    /// - Returns: whether the matrix and norms were checked.
    @discardableResult
    static func verify(_ source: ByteSource, _ layout: Layout, level: LoadOptions.Verification) throws -> Bool {
        guard let checksumRange = layout.checksums else { return false }
        let checksums = try NativeChecksums(source, at: checksumRange, layout: layout)
        for (index, range) in [layout.blob, layout.offsets, layout.table].enumerated() { try checksums.check(index, source, range) }
        try checksums.check(4, source, layout.metadata)
        let whole = level == .full || (level == .automatic && source.bytes.count <= LoadOptions.Verification.automaticFullLimit)
        guard whole else { return false }
        try checksums.check(3, source, layout.norms)
        if layout.version >= 3 { try checksums.check(5, source, layout.rowScales ?? 0..<0) }
        try checksums.checkMatrix(source, layout.matrix, rowBytes: layout.rowBytes, blocks: checksums.matrixBlocks)
        if let copy = layout.exactCopy {
            try checksums.checkMatrix(source, copy, rowBytes: layout.dimensions * 4, blocks: checksums.copyBlocks, name: "float32 copy")
        }
        return true
    }

    /// Word offsets that start at 0, never decrease and end at the blob's length (so every word
    /// lies inside the blob).
    private static func checkWordOffsets(_ offsets: UnsafeBufferPointer<UInt64>, blobLength: Int, source: ByteSource, at start: Int) throws {
        var previous: UInt64 = 0
        for (index, value) in offsets.enumerated() {
            let offset = UInt64(littleEndian: value)
            guard offset >= previous, offset <= UInt64(blobLength), index > 0 || offset == 0 else {
                throw source.error(.byte(start + 8 * index), .badHeader, "word offset \(index) (\(offset)) is outside the \(blobLength)-byte word blob or out of order")
            }
            previous = offset
        }
        guard previous == UInt64(blobLength) else {
            throw source.error(.byte(start + 8 * (offsets.count - 1)), .badHeader, "the word offsets end at \(previous), not at the blob's \(blobLength) bytes")
        }
    }

    /// Writes `embeddings` as a native file at `path`, atomically, with the checksums of every
    /// section: values stored in `precision`, and for a compact precision with `exactCopy` a float32
    /// copy of every row as well.
    /// - Throws: `EmbeddingFileError` for a row that `precision` cannot store (naming the word), or
    ///   when the file cannot be written.
    static func write(_ embeddings: WordEmbeddings, to path: String, precision: VectorPrecision = .float32, exactCopy: Bool = false,
                      progress: ProgressCounter? = nil) throws {
        let writer = try AtomicFileWriter(path: path)
        let count = embeddings.count, dimensions = embeddings.dimensions
        let keepsCopy = exactCopy && precision != .float32
        let vocabulary = embeddings.vocabulary.storage
        let blobLength = Int(vocabulary.offsets[count])
        let slots = WordHash.tableSize(for: count)
        let table = rebuiltTable(embeddings.vocabulary, slots: slots)
        // Sections follow the header in this order; the matrix and everything after it start 64-byte aligned.
        let blobOffset = headerSize(version: version)
        let offsetsOffset = align(blobOffset + blobLength, 8)
        let tableOffset = offsetsOffset + (count + 1) * 8
        let matrixOffset = align(tableOffset + slots * 4, 64)
        let normsOffset = align(matrixOffset + count * dimensions * precision.bytesPerValue, 64)
        let scalesOffset = precision == .int8 ? align(normsOffset + count * 4, 64) : 0
        let copyOffset = keepsCopy ? align(max(normsOffset + count * 4, scalesOffset + count * 4), 64) : 0
        let metadata = try metadataJSON(embeddings)
        let metadataOffset = keepsCopy ? copyOffset + count * dimensions * 4 : max(normsOffset + count * 4, scalesOffset + count * 4)
        let checksumsOffset = align(metadataOffset + metadata.count, 8)
        // A compact file's header holds its cosine error bound: one pass encodes every row first
        // (and finds a row the precision cannot store before anything is written).
        let bound = precision == .float32 ? 0 : try encodingCheck(embeddings, precision: precision, for: path)
        let original = embeddings.metadata.originalFormat ?? embeddings.metadata.format
        var header: [UInt8] = magic
        func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) } }
        append(version)
        append(UInt32(EmbeddingFormat.allCases.firstIndex(of: original)!))
        for value in [count, dimensions, blobOffset, blobLength, offsetsOffset, tableOffset, slots, matrixOffset,
                      normsOffset, metadataOffset, metadata.count, embeddings.metadata.duplicateCount, checksumsOffset] {
            append(UInt64(value))
        }
        append(precision.code)
        append(bound.bitPattern)
        append(UInt64(scalesOffset))
        append(UInt64(copyOffset))
        header += [UInt8](repeating: 0, count: checkedHeaderBytes(version: version)! - header.count)
        append(header.withUnsafeBytes { Checksum.crc32($0) })
        try header.withUnsafeBytes { try writer.write($0) }
        let blob = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(vocabulary.bytes)[0..<blobLength])
        try writer.write(blob)
        try writer.pad(toMultipleOf: 8)
        try writer.write(UnsafeRawBufferPointer(vocabulary.offsets))
        try table.withUnsafeBytes { try writer.write($0) }
        try writer.pad(toMultipleOf: 64)
        var norms = [Float](repeating: 0, count: count), scales = [Float](repeating: 1, count: precision == .int8 ? count : 0)
        var matrixChecksums = BlockChecksummer()
        var encoder = CompactRowEncoder(precision: precision, dimensions: dimensions)
        var stored: [UInt8] = []
        embeddings.expectRowAccess(.sequential)
        for row in 0..<count {
            try embeddings.withRow(at: row) { address in
                norms[row] = Kernels.l2Norm(address, count: dimensions)
                guard precision != .float32 else {
                    let values = UnsafeRawBufferPointer(start: address, count: dimensions * 4)
                    try writer.write(values)
                    matrixChecksums.add(values)
                    return
                }
                let scale = try encode(address, row: row, embeddings, for: path, with: &encoder, into: &stored)
                if precision == .int8 { scales[row] = scale }
                try stored.withUnsafeBytes { values in
                    try writer.write(values)
                    matrixChecksums.add(values)
                }
            }
            if row & 0x3FFF == 0 { progress?.set(keepsCopy ? row / 2 : row) }
        }
        try writer.pad(toMultipleOf: 64)
        try norms.withUnsafeBytes { try writer.write($0) }
        if precision == .int8 {
            try writer.pad(toMultipleOf: 64)
            try scales.withUnsafeBytes { try writer.write($0) }
        }
        var copyChecksums = BlockChecksummer()
        if keepsCopy {
            try writer.pad(toMultipleOf: 64)
            for row in 0..<count {
                try embeddings.withRow(at: row) { address in
                    let values = UnsafeRawBufferPointer(start: address, count: dimensions * 4)
                    try writer.write(values)
                    copyChecksums.add(values)
                }
                if row & 0x3FFF == 0 { progress?.set(count / 2 + row / 2) }
            }
        }
        try metadata.withUnsafeBytes { try writer.write($0) }
        try writer.pad(toMultipleOf: 8)
        let checksums = NativeChecksums(sections: [
            Checksum.crc32(blob), Checksum.crc32(UnsafeRawBufferPointer(vocabulary.offsets)), table.withUnsafeBytes { Checksum.crc32($0) },
            norms.withUnsafeBytes { Checksum.crc32($0) }, metadata.withUnsafeBytes { Checksum.crc32($0) },
            scales.withUnsafeBytes { Checksum.crc32($0) },
        ], matrixBlocks: matrixChecksums.finish(), copyBlocks: copyChecksums.finish())
        try checksums.encoded.withUnsafeBytes { try writer.write($0) }

        try writer.commit()
    }

    /// Encodes every row once without writing: the cosine error bound of `precision`.
    /// - Throws: `EmbeddingFileError` naming the first word `precision` cannot store.
    private static func encodingCheck(_ embeddings: WordEmbeddings, precision: VectorPrecision, for path: String) throws -> Float {
        var encoder = CompactRowEncoder(precision: precision, dimensions: embeddings.dimensions)
        var stored: [UInt8] = []
        embeddings.expectRowAccess(.sequential)
        for row in 0..<embeddings.count {
            _ = try embeddings.withRow(at: row) { try encode($0, row: row, embeddings, for: path, with: &encoder, into: &stored) }
        }
        return encoder.cosineErrorBound
    }

    /// Row `row` encoded by `encoder`, its failure named by word and row.
    private static func encode(_ address: UnsafeRawPointer, row: Int, _ embeddings: WordEmbeddings, for path: String,
                               with encoder: inout CompactRowEncoder, into stored: inout [UInt8]) throws -> Float {
        do {
            return try encoder.encode(address, into: &stored)
        } catch {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotWrite,
                                     message: "the vector of '\(embeddings.vocabulary.word(at: row))' (row \(row + 1)) \(error.message)")
        }
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

    /// The JSON metadata block: where the vectors came from, in which format, and its fingerprint.
    private static func metadataJSON(_ embeddings: WordEmbeddings) throws -> Data {
        let metadata = embeddings.metadata
        let origin = metadata.originalPath ?? metadata.sourcePath
        let fields: [String: String] = [
            "source": origin,
            "sourceFormat": (metadata.originalFormat ?? metadata.format).rawValue,
            "fingerprint": metadata.originalFingerprint ?? ContentFingerprint.of(fileAt: origin) ?? "",
        ]
        return try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
    }

    /// The `source` and `fingerprint` fields of a metadata block (nil when absent or unreadable).
    private static func origin(fromMetadata bytes: UnsafeRawBufferPointer) -> (path: String?, fingerprint: String?) {
        let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: String]
        return (object?["source"], object?["fingerprint"])
    }
}
