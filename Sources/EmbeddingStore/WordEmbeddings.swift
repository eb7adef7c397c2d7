import Foundation


/// A table of word vectors read from a word2vec, GloVe, fastText `.vec` or native file.
///
/// Files are memory-mapped where the format allows (word2vec binary rows are used in place, native
/// files open without parsing); text and gzip files are parsed once into an aligned matrix.
public struct WordEmbeddings: Sendable {
    /// The words, in file order; word i owns row i.
    public let vocabulary: Vocabulary
    /// The number of floats per vector.
    public let dimensions: Int
    /// Where the file came from and what loading it found.
    public internal(set) var metadata: EmbeddingMetadata
    let storage: VectorStorage
    /// Row norms for similarity queries: precomputed in native files, else computed on first use.
    let norms: RowNorms
    /// fastText character n-gram vectors for unknown words (`.bin` files only).
    let subwords: SubwordVectors?
    private let caseMatching: Vocabulary.CaseMatching

    init(vocabulary: Vocabulary, dimensions: Int, storage: VectorStorage, metadata: EmbeddingMetadata,
         caseMatching: Vocabulary.CaseMatching, norms: RowNorms = RowNorms(), subwords: SubwordVectors? = nil) {
        self.vocabulary = vocabulary
        self.dimensions = dimensions
        self.storage = storage
        self.metadata = metadata
        self.caseMatching = caseMatching
        self.norms = norms
        self.subwords = subwords
    }

    /// Whether unknown words get vectors from character n-grams (fastText `.bin` files).
    public var hasSubwords: Bool { subwords != nil }

    /// Opens the vector file at `path`, detecting its format (and gzip) unless `options` names it.
    /// - Throws: `EmbeddingFileError` naming the path and the line or byte offset of the problem.
    /// - Complexity: O(1) for native files; one pass over the words for word2vec binary; one
    ///   parallel parse of the values for text and gzip files.
    public init(contentsOf path: String, options: LoadOptions = LoadOptions()) throws {
        if options.cache == .beside && options.limit == nil {
            self = try Self.loadThroughCache(path: path, options: options)
            return
        }
        let file = try MappedFile(path: path)
        self = try GzipStream.hasMagic(file.bytes)
            ? Self.loadCompressed(file, options: options) : Self.loadMapped(file, options: options)
    }

    /// The number of words (rows).
    public var count: Int { vocabulary.count }

    /// Whether `word` has a vector (using the case matching chosen when loading).
    public func contains(_ word: String) -> Bool { index(of: word) != nil }

    /// The row of `word`, or nil when it is unknown (using the case matching chosen when loading).
    public func index(of word: String) -> Int? { vocabulary.index(of: word, matching: caseMatching) }

    /// A copy of the vector of `word`; for an unknown word, the mean of its character n-gram
    /// vectors when the file has them (fastText `.bin`; zeros when it has no n-gram), else nil.
    /// - Complexity: O(dimensions), times the n-gram count for unknown words.
    public func vector(for word: String) -> [Float]? {
        if let row = index(of: word) { return vector(at: row) }
        return subwords?.vector(ofUnknownWord: Array(word.utf8))
    }

    /// A copy of row `index`.
    /// - Precondition: `0 <= index < count`.
    /// - Complexity: O(dimensions).
    public func vector(at index: Int) -> [Float] {
        withRow(at: index) { row in
            [Float](unsafeUninitializedCapacity: dimensions) { buffer, initialized in
                UnsafeMutableRawBufferPointer(buffer).copyMemory(from: UnsafeRawBufferPointer(start: row, count: dimensions * 4))
                initialized = dimensions
            }
        }
    }

    /// Calls `body` with the address of row `index`: `dimensions` float32 values, possibly at an
    /// unaligned address (read them with `loadUnaligned` or the `Kernels` raw-pointer entry points),
    /// valid only during `body` (compact rows are decoded into a temporary buffer).
    /// - Precondition: `0 <= index < count`.
    public func withRow<R>(at index: Int, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "WordEmbeddings row \(index) out of range 0..<\(count)")
        if case .compact(let rows) = storage, rows.exactCopy == nil {
            return try withUnsafeTemporaryAllocation(of: Float.self, capacity: dimensions) { buffer in
                rows.decode(index, into: buffer.baseAddress!)
                return try body(UnsafeRawPointer(buffer.baseAddress!))
            }
        }
        return try body(storage.rowAddress(index, dimensions: dimensions))
    }

    /// The address of row `index`'s `dimensions` float32 values (possibly unaligned), valid for as
    /// long as these embeddings (or a copy) live: compact rows without a float32 copy are decoded
    /// into memory, all of them, on the first call.
    /// - Precondition: `0 <= index < count`.
    public func persistentRowAddress(at index: Int) -> UnsafeRawPointer {
        precondition(index >= 0 && index < count, "WordEmbeddings row \(index) out of range 0..<\(count)")
        if case .compact(let rows) = storage, rows.exactCopy == nil {
            return UnsafeRawPointer(rows.decoded.values(of: rows, count: count) + index * dimensions)
        }
        return storage.rowAddress(index, dimensions: dimensions)
    }

    /// Tells the kernel how rows in a mapped file are about to be read (see `RowAccess`).
    func expectRowAccess(_ access: RowAccess) {
        storage.advise(access, count: count, dimensions: dimensions)
    }

    /// The address of row `first` when the rows from there on lie back to back as aligned
    /// floats (parsed and native files); nil for rows in place in a word2vec binary file.
    func contiguousRows(from first: Int) -> UnsafePointer<Float>? {
        switch storage {
        case .owned, .mappedMatrix:
            storage.rowAddress(first, dimensions: dimensions).assumingMemoryBound(to: Float.self)
        case .composed(let rows):
            rows.allRows() + first * dimensions
        case .mappedRows, .compact:
            nil
        }
    }

    /// How the rows are stored: float32 unless this is a compact native file.
    public var precision: VectorPrecision {
        if case .compact(let rows) = storage { rows.precision } else { .float32 }
    }

    /// Whether searches give the float32 answers: always for float32 rows; for compact rows when
    /// the file keeps a float32 copy to re-rank with.
    public var searchesAreExact: Bool {
        if case .compact(let rows) = storage { rows.exactCopy != nil } else { true }
    }

    /// The most a cosine computed during a search can differ from the float32 cosine before
    /// re-ranking (0 for float32 rows).
    public var cosineErrorBound: Float {
        if case .compact(let rows) = storage { rows.cosineErrorBound } else { 0 }
    }
}

extension WordEmbeddings {
    /// The first `rows` words and their vectors (all of them when `rows >= count`), sharing storage.
    /// - Complexity: O(rows) to index the shorter vocabulary.
    public func prefix(rows: Int) -> WordEmbeddings {
        guard rows < count else { return self }
        var builder = VocabularyBuilder(expectedCount: rows)
        for index in 0..<Swift.max(0, rows) { _ = builder.insert(UnsafeRawBufferPointer(vocabulary.wordBytes(at: index))) }
        return WordEmbeddings(vocabulary: builder.build(), dimensions: dimensions, storage: storage,
                              metadata: metadata, caseMatching: caseMatching, norms: norms.prefix(rows: rows),
                              subwords: subwords)
    }
}
