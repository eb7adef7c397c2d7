import Foundation
import LinearAlgebra

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
    private let caseMatching: Vocabulary.CaseMatching

    init(vocabulary: Vocabulary, dimensions: Int, storage: VectorStorage, metadata: EmbeddingMetadata,
         caseMatching: Vocabulary.CaseMatching) {
        self.vocabulary = vocabulary
        self.dimensions = dimensions
        self.storage = storage
        self.metadata = metadata
        self.caseMatching = caseMatching
    }

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
        guard GzipStream.hasMagic(file.bytes) else {
            let source = ByteSource(path: path, bytes: file.bytes, owner: file, mappedFile: file, wasCompressed: false)
            let format = try options.format ?? FormatDetector.detect(source)
            switch format {
            case .word2vecBinary:
                self = try Word2VecBinaryReader(source: source, options: options).read()
            case .word2vecText, .fasttextVec, .glove:
                self = try TextVectorReader(path: path, format: format, options: options).read(source)
            case .native:
                self = try NativeFormat.open(source, options: options)
            case .fasttextBin:
                throw source.error(.file, .unknownFormat, "fastText .bin/.ftz models are not supported yet")
            }
            return
        }
        let prefix = try GzipStream.inflatePrefix(file.bytes, path: path, length: 1 << 20)
        let format = try options.format ?? FormatDetector.detect(
            ByteSource(path: path, bytes: prefix.bytes, owner: prefix, mappedFile: nil, wasCompressed: true))
        switch format {
        case .word2vecText, .fasttextVec, .glove:
            self = try TextVectorReader(path: path, format: format, options: options)
                .read(streaming: GzipLineBlocks(file: file), compressedSize: file.count)
        case .word2vecBinary:
            let inflated = try GzipStream.inflateAll(file.bytes, path: path)
            let source = ByteSource(path: path, bytes: inflated.bytes, owner: inflated, mappedFile: nil, wasCompressed: true)
            self = try Word2VecBinaryReader(source: source, options: options).read()
        case .native, .fasttextBin:
            throw EmbeddingFileError(path: path, location: .file, kind: .unknownFormat,
                                     message: "\(format) files are read uncompressed: gunzip it first")
        }
    }

    /// The number of words (rows).
    public var count: Int { vocabulary.count }

    /// Whether `word` has a vector (using the case matching chosen when loading).
    public func contains(_ word: String) -> Bool { index(of: word) != nil }

    /// The row of `word`, or nil when it is unknown (using the case matching chosen when loading).
    public func index(of word: String) -> Int? { vocabulary.index(of: word, matching: caseMatching) }

    /// A copy of the vector of `word`, or nil when it is unknown.
    /// - Complexity: O(dimensions).
    public func vector(for word: String) -> [Float]? {
        index(of: word).map(vector(at:))
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
    /// unaligned address (read them with `loadUnaligned` or the `Kernels` raw-pointer entry points).
    /// - Precondition: `0 <= index < count`.
    public func withRow<R>(at index: Int, _ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        precondition(index >= 0 && index < count, "WordEmbeddings row \(index) out of range 0..<\(count)")
        return try body(storage.rowAddress(index, dimensions: dimensions))
    }
}

extension WordEmbeddings {
    /// The cache file `LoadOptions.cache = .beside` uses for `path`.
    public static func cachePath(for path: String) -> String { path + ".ekv" }

    /// Opens the native cache beside `path` when its fingerprint matches the source; otherwise
    /// parses the source and writes the cache (atomically) for next time.
    private static func loadThroughCache(path: String, options: LoadOptions) throws -> WordEmbeddings {
        var uncached = options
        uncached.cache = .off
        let cachePath = cachePath(for: path)
        let current = NativeFormat.fingerprint(ofFileAt: path)
        if current != nil, var cached = try? WordEmbeddings(contentsOf: cachePath, options: LoadOptions(
               format: .native, limit: nil, caseMatching: options.caseMatching)),
           cached.metadata.originalFingerprint == current {
            cached.metadata.cacheStatus = .hit
            return cached
        }
        var loaded = try WordEmbeddings(contentsOf: path, options: uncached)
        guard loaded.metadata.format != .native else { return loaded }
        do {
            try VectorFileWriter.write(loaded, to: cachePath, as: .native)
            loaded.metadata.cacheStatus = .written
        } catch {
            loaded.metadata.cacheStatus = .writeFailed
        }
        return loaded
    }
}

extension WordEmbeddings: RandomAccessCollection {
    /// 0.
    public var startIndex: Int { 0 }
    /// The word count.
    public var endIndex: Int { count }
    /// The word and a copy of its vector at `position`.
    public subscript(position: Int) -> (word: String, vector: [Float]) {
        (vocabulary.word(at: position), vector(at: position))
    }
}

/// What is known about a loaded vector file.
public struct EmbeddingMetadata: Sendable, Hashable {
    /// The format the file was read as.
    public var format: EmbeddingFormat
    /// The path it was read from.
    public var sourcePath: String
    /// Whether the file was gzip-compressed.
    public var wasCompressed: Bool
    /// How many rows repeated an earlier word and were dropped (the first occurrence is kept).
    public var duplicateCount: Int
    /// For native files: the format of the file it was converted from.
    public var originalFormat: EmbeddingFormat? = nil
    /// For native files: the path of the file it was converted from.
    public var originalPath: String? = nil
    /// For native files: the size and modification time the original had when converted.
    public var originalFingerprint: String? = nil
    /// Whether a native cache beside the source was used or written (`LoadOptions.cache`).
    public var cacheStatus: CacheStatus = .notUsed
}

/// What happened with the native cache beside a source file.
public enum CacheStatus: String, Sendable, Hashable {
    /// No cache was asked for, or the file is native already.
    case notUsed = "not-used"
    /// A current cache was opened instead of parsing the source.
    case hit
    /// The source was parsed and a new cache was written beside it.
    case written
    /// The source was parsed; the cache could not be written (for example a read-only folder).
    case writeFailed = "write-failed"
}

extension WordEmbeddings {
    /// The first `rows` words and their vectors (all of them when `rows >= count`), sharing storage.
    /// - Complexity: O(rows) to index the shorter vocabulary.
    public func prefix(rows: Int) -> WordEmbeddings {
        guard rows < count else { return self }
        var builder = VocabularyBuilder(expectedCount: rows)
        for index in 0..<Swift.max(0, rows) { _ = builder.insert(UnsafeRawBufferPointer(vocabulary.wordBytes(at: index))) }
        return WordEmbeddings(vocabulary: builder.build(), dimensions: dimensions, storage: storage,
                              metadata: metadata, caseMatching: caseMatching)
    }
}
