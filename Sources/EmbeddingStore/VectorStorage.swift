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
    /// float16 or int8 rows inside a mapped native file, perhaps with a float32 copy.
    case compact(CompactRows)

    /// The address of row `index` (possibly unaligned), valid while this storage is alive.
    /// - Precondition: compact rows have a float32 copy (`WordEmbeddings.withRow` decodes the others).
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
        case .compact(let rows):
            rows.exactRow(index)!
        }
    }

    /// Passes the coming access pattern to the kernel for rows in a mapped file (a no-op for rows
    /// in memory): `.scattered` for word lookups, `.sequential` before a pass over every row.
    func advise(_ access: RowAccess, count: Int, dimensions: Int) {
        switch self {
        case .owned, .composed:
            return
        case .mappedRows(let file, let offsets):
            guard let first = offsets.first, let last = offsets.last else { return }
            file.advise(access, first..<(last + dimensions * 4))
        case .mappedMatrix(let file, let offset):
            file.advise(access, offset..<(offset + count * dimensions * 4))
        case .compact(let rows):
            let start = rows.codes - UnsafeRawPointer(rows.file.bytes.baseAddress!)
            rows.file.advise(access, start..<(start + count * dimensions * rows.precision.bytesPerValue))
        }
    }
}

/// How the rows of a mapped file are about to be read.
enum RowAccess {
    /// Lookups of single words here and there.
    case scattered
    /// A pass over every row.
    case sequential
}

extension MappedFile {
    fileprivate func advise(_ access: RowAccess, _ range: Range<Int>) {
        switch access {
        case .scattered: adviseRandom(range)
        case .sequential: adviseSequential(range)
        }
    }
}
