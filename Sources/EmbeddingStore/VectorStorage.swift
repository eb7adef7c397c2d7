import LinearAlgebra

/// Where the rows of a `WordEmbeddings` live.
enum VectorStorage: Sendable {
    /// Owned, 64-byte-aligned rows (parsed text, inflated gzip).
    case owned(RowBuffer)
    /// Rows inside a mapped file at arbitrary (unaligned) byte offsets: word2vec binary in place.
    case mappedRows(MappedFile, offsets: [Int])
    /// fastText vocabulary vectors, composed from the model's rows on first use.
    case composed(ComposedRows)
    /// Contiguous rows inside a mapped file starting at `offset`, `dimensions` floats each (native).
    case mappedMatrix(MappedFile, offset: Int)

    /// The address of row `index` (possibly unaligned), valid while this storage is alive.
    func rowAddress(_ index: Int, dimensions: Int) -> UnsafeRawPointer {
        switch self {
        case .owned(let rows):
            UnsafeRawPointer(rows.row(index))
        case .composed(let rows):
            UnsafeRawPointer(rows.row(index))
        case .mappedRows(let file, let offsets):
            file.bytes.baseAddress! + offsets[index]
        case .mappedMatrix(let file, let offset):
            file.bytes.baseAddress! + offset + index * dimensions * 4
        }
    }
}
