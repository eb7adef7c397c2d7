/// Writes `WordEmbeddings` in any writable format, atomically (temporary file, then rename).
public enum VectorFileWriter {
    /// Writes `embeddings` to `path` as `format`.
    /// - Parameters:
    ///   - embeddings: the words and vectors.
    ///   - path: the output file, replaced atomically (`-`, devices and FIFOs are written through).
    ///   - format: the output format.
    ///   - limit: write only the first `limit` rows.
    ///   - precision: how a native file stores its values (float16 halves the matrix, int8
    ///     quarters it; see `VectorPrecision`); other formats are float32 only.
    ///   - exactCopy: with a compact precision, keep a float32 copy of every row in the file too:
    ///     searches scan the compact rows and re-rank with the copy, so they answer exactly.
    ///   - progress: receives the fraction of rows written.
    /// - Throws: `EmbeddingFileError` (`.cannotWrite`) when the file cannot be written or a row
    ///   cannot be stored in `precision`, or `.unknownFormat` for fastText `.bin` (not writable).
    /// - Complexity: O(count × dimensions).
    public static func write(_ embeddings: WordEmbeddings, to path: String, as format: EmbeddingFormat,
                             limit: Int? = nil, precision: VectorPrecision = .float32, exactCopy: Bool = false,
                             progress: LoadOptions.Progress? = nil) throws {
        let embeddings = limit.map { embeddings.prefix(rows: $0) } ?? embeddings
        let counter = ProgressCounter(total: embeddings.count, callback: progress)
        guard precision == .float32 || format == .native else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotWrite,
                                     message: "\(format) files hold float32 values; \(precision) is for native files (.ekv)")
        }
        switch format {
        case .native:
            try NativeFormat.write(embeddings, to: path, precision: precision, exactCopy: exactCopy, progress: counter)
        case .word2vecBinary:
            try writeRows(embeddings, to: path, header: true, progress: counter) { writer, address in
                try writer.write(" ")
                try writer.write(UnsafeRawBufferPointer(start: address, count: embeddings.dimensions * 4))
            }
        case .word2vecText, .fasttextVec, .glove:
            try writeRows(embeddings, to: path, header: format != .glove, progress: counter) { writer, address in
                var line = ""
                for index in 0..<embeddings.dimensions {
                    line += " "
                    line += address.loadUnaligned(fromByteOffset: 4 * index, as: Float.self).description
                }
                try writer.write(line)
            }
        case .fasttextBin:
            throw EmbeddingFileError(path: path, location: .file, kind: .unknownFormat,
                                     message: "fastText .bin files cannot be written; choose another format")
        }
    }

    private static func writeRows(
        _ embeddings: WordEmbeddings, to path: String, header: Bool, progress: ProgressCounter,
        values: (AtomicFileWriter, UnsafeRawPointer) throws -> Void
    ) throws {
        let writer = try AtomicFileWriter(path: path)
        if header { try writer.write("\(embeddings.count) \(embeddings.dimensions)\n") }
        embeddings.expectRowAccess(.sequential)
        for row in 0..<embeddings.count {
            try writer.write(UnsafeRawBufferPointer(embeddings.vocabulary.wordBytes(at: row)))
            try embeddings.withRow(at: row) { try values(writer, $0) }
            try writer.write("\n")
            if row & 0x3FFF == 0 { progress.set(row) }
        }
        try writer.commit()
    }
}
