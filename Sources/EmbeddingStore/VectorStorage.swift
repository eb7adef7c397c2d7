import LinearAlgebra

/// Where the rows of a `WordEmbeddings` live.
enum VectorStorage: Sendable {
    /// An owned, 64-byte-aligned matrix (parsed text, inflated gzip).
    case owned(Matrix)
    /// Rows inside a mapped file at arbitrary (unaligned) byte offsets: word2vec binary in place.
    case mappedRows(MappedFile, offsets: [Int])
    /// Contiguous rows inside a mapped file starting at `offset`, `dimensions` floats each (native).
    case mappedMatrix(MappedFile, offset: Int)

    /// The address of row `index` (possibly unaligned), valid while this storage is alive.
    func rowAddress(_ index: Int, dimensions: Int) -> UnsafeRawPointer {
        switch self {
        case .owned(let matrix):
            matrix.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress!) + index * dimensions * 4 }
        case .mappedRows(let file, let offsets):
            file.bytes.baseAddress! + offsets[index]
        case .mappedMatrix(let file, let offset):
            file.bytes.baseAddress! + offset + index * dimensions * 4
        }
    }
}
