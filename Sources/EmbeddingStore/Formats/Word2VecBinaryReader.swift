import Foundation
import LinearAlgebra

/// Reads word2vec binary files: a `count dims` header line, then per row the word, one space and
/// `dims` little-endian float32 values, with or without a newline after them.
///
/// One pass over the word boundaries builds the vocabulary; the values are not parsed but used in
/// place in the mapped file (rows are not 4-byte aligned). Pages behind the scan are released, so
/// memory stays low until vectors are used. Gzip input is copied into an aligned matrix instead.
struct Word2VecBinaryReader {
    let source: ByteSource
    let options: LoadOptions

    /// How many bytes the scan reads before releasing them from the resident set.
    private static let releaseWindow = 64 << 20

    func read() throws -> WordEmbeddings {
        let header = try HeaderLine.parse(source)
        let bytes = source.bytes
        let rowBytes = header.dimensions * 4
        let available = bytes.count - header.bodyStart
        // Each row needs at least one word byte, the space and its values; a header promising more
        // than one row beyond that is refused before anything is allocated for its count.
        let plausibleRows = available / (rowBytes + 2) + 1
        if header.count > plausibleRows {
            throw source.error(.line(1), .badHeader,
                               "the header promises \(header.count) rows of \(header.dimensions) float32 values; "
                               + "the \(available) bytes that follow hold at most \(plausibleRows)")
        }
        let rowCount = min(header.count, options.limit ?? header.count)
        var builder = VocabularyBuilder(expectedCount: rowCount)
        var offsets: [Int] = []
        offsets.reserveCapacity(rowCount)
        var position = header.bodyStart
        var released = 0
        let checkValues = options.nonFiniteValues == .reject
        let progress = ProgressCounter(total: rowCount, callback: options.progress)
        for row in 0..<rowCount {
            if row & 0xFFFF == 0 { progress.set(row) }
            while position < bytes.count && bytes[position] == 0x0A { position += 1 }
            let wordStart = position
            guard let space = firstSpace(from: position) else {
                throw source.error(.byte(wordStart), .truncated,
                                   "row \(row + 1) of \(header.count): the file ends inside a word")
            }
            guard space > wordStart else {
                throw source.error(.byte(wordStart), .badHeader, "row \(row + 1) has an empty word")
            }
            let valuesStart = space + 1
            guard valuesStart + rowBytes <= bytes.count else {
                throw source.error(.byte(valuesStart), .truncated,
                                   "row \(row + 1) of \(header.count) needs \(rowBytes) bytes of values, "
                                   + "\(bytes.count - valuesStart) remain")
            }
            if checkValues, let bad = Self.firstNonFinite(bytes.baseAddress! + valuesStart, count: header.dimensions) {
                throw source.error(.byte(valuesStart + 4 * bad), .nonFiniteValue,
                                   "value \(bad + 1) of row \(row + 1) is NaN or infinite")
            }
            let word = UnsafeRawBufferPointer(rebasing: bytes[wordStart..<space])
            let inserted = try UTF8Validation.withValidWord(word, decoding: options.textDecoding, error: { bad in
                source.error(.byte(wordStart + bad), .invalidUTF8, "invalid UTF-8 in the word of row \(row + 1)")
            }) { builder.insert($0) }
            if inserted != nil { offsets.append(valuesStart) }
            position = valuesStart + rowBytes
            if let file = source.mappedFile, position - released > Self.releaseWindow {
                file.release(released..<position)
                released = position
            }
        }
        progress.set(rowCount)
        let storage: VectorStorage
        if let file = source.mappedFile {
            storage = .mappedRows(file, offsets: offsets)
        } else {
            storage = .owned(copyRows(offsets, dimensions: header.dimensions))
        }
        let metadata = EmbeddingMetadata(format: .word2vecBinary, sourcePath: source.path,
                                         wasCompressed: source.wasCompressed, duplicateCount: builder.duplicateCount)
        let embeddings = WordEmbeddings(vocabulary: builder.build(), dimensions: header.dimensions, storage: storage,
                                        metadata: metadata, caseMatching: options.caseMatching)
        embeddings.expectRowAccess(.scattered)
        return embeddings
    }

    private func firstSpace(from position: Int) -> Int? {
        let bytes = source.bytes
        guard position < bytes.count, let found = memchr(bytes.baseAddress! + position, 0x20, bytes.count - position) else {
            return nil
        }
        return bytes.baseAddress!.distance(to: UnsafeRawPointer(found))
    }

    /// The index of the first NaN or infinite float among `count` at `address`, or nil.
    static func firstNonFinite(_ address: UnsafeRawPointer, count: Int) -> Int? {
        var combined: UInt32 = 0
        for index in 0..<count {
            let bits = address.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)
            combined |= ~bits & 0x7F80_0000 == 0 ? 1 : 0
        }
        guard combined != 0 else { return nil }
        return (0..<count).first { !address.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self).isFinite }
    }

    /// The rows at `offsets` copied into aligned rows.
    private func copyRows(_ offsets: [Int], dimensions: Int) -> RowBuffer {
        let rows = RowBuffer(dimensions: dimensions, capacity: offsets.count)
        rows.setCount(offsets.count)
        for (row, offset) in offsets.enumerated() {
            UnsafeMutableRawPointer(rows.row(row)).copyMemory(from: source.bytes.baseAddress! + offset, byteCount: dimensions * 4)
        }
        return rows
    }
}
