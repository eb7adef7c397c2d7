import LinearAlgebra

/// Reads fastText model files (`.bin`, versions 11 and 12, and the older files without magic
/// number and version that gensim's test data still has) for their word vectors: the args
/// block, the dictionary (words then labels), the prune index and a dense input matrix, which is
/// used in place in the mapping. Vocabulary words get the mean of their own row and their
/// character n-gram rows, composed on first use (opening touches none of the matrix); unknown
/// words get the mean of their n-gram rows on demand (`WordEmbeddings.vector(for:)`), exactly
/// as fastText's `getWordVector`.
///
/// Product-quantized (`.ftz`) matrices are decoded row by row from their codes.
struct FastTextBinaryReader {
    let source: ByteSource
    let options: LoadOptions

    static let magic: Int32 = 793_712_314

    /// Whether `bytes` look like a fastText file from before version 11: no magic, but a small
    /// dimension and window where a word2vec header would have ASCII digits.
    static func looksLikeLegacyModel(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 64 else { return false }
        let dimensions = Int32(littleEndian: bytes.loadUnaligned(as: Int32.self))
        let window = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: Int32.self))
        return (1...100_000).contains(dimensions) && (1...1_000).contains(window)
    }

    func read() throws -> WordEmbeddings {
        let model = try FastTextModelFile(source: source, options: options)
        let subwords = SubwordVectors(owner: source.owner, matrix: model.input, wordCount: model.dictionary.wordCount,
                                      bucket: model.arguments.bucket, minn: model.arguments.minn, maxn: model.maxn,
                                      pruneIndex: model.dictionary.pruneIndex)
        // Words repaired by lossy decoding can collide: the first keeps its row, as elsewhere.
        var builder = VocabularyBuilder(expectedCount: model.dictionary.wordCount)
        var kept: [(word: [UInt8], row: Int)] = []
        for (row, word) in model.dictionary.words.enumerated() where word.withUnsafeBytes({ builder.insert($0) }) != nil {
            kept.append((word, row))
        }
        let metadata = EmbeddingMetadata(format: .fasttextBin, sourcePath: source.path, wasCompressed: source.wasCompressed,
                                         duplicateCount: builder.duplicateCount)
        return WordEmbeddings(vocabulary: builder.build(), dimensions: model.arguments.dimensions,
                              storage: .composed(ComposedRows(words: kept, subwords: subwords)),
                              metadata: metadata, caseMatching: options.caseMatching, subwords: subwords)
    }
}

/// Everything in a fastText model file: arguments, dictionary, input and output matrices.
struct FastTextModelFile {
    let version: Int
    let arguments: FastTextArguments
    let dictionary: FastTextDictionary
    let input: FastTextMatrix
    let output: FastTextMatrix
    /// The longest character n-gram (0 for version-11 supervised models, which have none).
    let maxn: Int

    init(source: ByteSource, options: LoadOptions) throws {
        var cursor = BinaryCursor(source: source)
        let first = try cursor.int32()
        let legacy = first != FastTextBinaryReader.magic
        guard !legacy || FastTextBinaryReader.looksLikeLegacyModel(source.bytes) else {
            throw source.error(.byte(0), .badHeader, "not a fastText model (bad magic)")
        }
        let version = legacy ? 10 : Int(try cursor.int32())
        guard legacy || version == 11 || version == 12 else {
            throw source.error(.byte(4), .unsupportedVersion, "fastText model version \(version); versions 11 and 12 are read")
        }
        if legacy { cursor = BinaryCursor(source: source) }
        arguments = try FastTextArguments(&cursor)
        dictionary = try FastTextDictionary(&cursor, options: options, hasPruneIndex: !legacy)
        let inputStart = cursor.offset
        input = try FastTextMatrix.read(&cursor, quantized: legacy ? false : try cursor.uint8() != 0, name: "input")
        let expectedRows = dictionary.wordCount + (dictionary.pruneIndex.map { $0.count } ?? arguments.bucket)
        guard input.columns == arguments.dimensions, input.rows == expectedRows else {
            throw source.error(.byte(inputStart), .badHeader,
                               "the input matrix is \(input.rows) × \(input.columns), expected \(expectedRows) × \(arguments.dimensions)")
        }
        let ngramRows = input.rows - dictionary.wordCount
        // The smallest bad bucket, so the message does not depend on the dictionary's order.
        if let pruneIndex = dictionary.pruneIndex,
           let bad = pruneIndex.filter({ $0.value < 0 || Int($0.value) >= ngramRows }).min(by: { $0.key < $1.key }) {
            throw source.error(.byte(inputStart), .badHeader,
                               "the prune index sends n-gram bucket \(bad.key) to row \(bad.value); the input matrix has \(ngramRows) n-gram rows")
        }
        output = try FastTextMatrix.read(&cursor, quantized: legacy ? false : try cursor.uint8() != 0, name: "output")
        self.version = version
        // Old supervised models (version 11) do not use character n-grams.
        maxn = version == 11 && arguments.model == 3 ? 0 : arguments.maxn
    }
}

/// The fields of fastText's args block that reading vectors needs.
struct FastTextArguments {
    let dimensions: Int, wordNgrams: Int, loss: Int32, model: Int32, bucket: Int, minn: Int, maxn: Int
    /// Where the loss field is in the file (for errors about it).
    let lossOffset: Int

    init(_ cursor: inout BinaryCursor) throws {
        let start = cursor.offset
        lossOffset = start + 24
        var fields: [Int32] = []
        for _ in 0..<12 { fields.append(try cursor.int32()) }
        _ = try cursor.float64()  // sampling threshold t
        // dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate
        (dimensions, wordNgrams, loss, model) = (Int(fields[0]), Int(fields[5]), fields[6], fields[7])
        (bucket, minn, maxn) = (Int(fields[8]), Int(fields[9]), Int(fields[10]))
        guard dimensions > 0, bucket >= 0, minn >= 0, maxn >= 0 else {
            throw cursor.source.error(.byte(start), .badHeader,
                                      "impossible arguments: dim \(dimensions), bucket \(bucket), minn \(minn), maxn \(maxn)")
        }
    }
}

/// fastText's dictionary: the words (labels are skipped) and the prune index of quantized models.
struct FastTextDictionary {
    /// The words' UTF-8 bytes (lossily repaired under `.lossy`), in row order.
    let words: [[UInt8]]
    /// The labels' names (with their `__label__` prefix) and how often each occurred in training.
    let labels: [(name: [UInt8], count: Int64)]
    let wordCount: Int
    /// n-gram bucket → new bucket for pruned models; nil when not pruned; empty when every
    /// n-gram was pruned (then no n-gram is used).
    let pruneIndex: [Int32: Int32]?

    init(_ cursor: inout BinaryCursor, options: LoadOptions, hasPruneIndex: Bool) throws {
        let start = cursor.offset
        let size = Int(try cursor.int32()), nwords = Int(try cursor.int32()), nlabels = Int(try cursor.int32())
        _ = try cursor.int64()  // ntokens
        let pruneSize = hasPruneIndex ? try cursor.int64() : -1
        guard size >= 0, nwords >= 0, nlabels >= 0, nwords + nlabels == size else {
            throw cursor.source.error(.byte(start), .badHeader,
                                      "impossible dictionary: \(size) entries, \(nwords) words, \(nlabels) labels")
        }
        // Each entry takes at least 11 bytes (a byte of word, its NUL, the count and the type).
        guard size <= cursor.remaining / 11 else {
            throw cursor.source.error(.byte(start), .truncated,
                                      "the dictionary promises \(size) entries, more than the \(cursor.remaining) bytes left hold")
        }
        var words: [[UInt8]] = []
        var labels: [(name: [UInt8], count: Int64)] = []
        words.reserveCapacity(nwords)
        for entry in 0..<size {
            let wordStart = cursor.offset
            var word = try cursor.cString()
            let count = try cursor.int64()
            let type = try cursor.uint8()
            guard type <= 1 else { throw cursor.source.error(.byte(cursor.offset - 1), .badHeader, "entry \(entry) has type \(type)") }
            guard entry < nwords else {
                labels.append((word, count))
                continue
            }
            if let bad = word.withUnsafeBytes({ UTF8Validation.firstInvalidOffset($0) }) {
                guard options.textDecoding == .lossy else {
                    throw cursor.source.error(.byte(wordStart + bad), .invalidUTF8, "invalid UTF-8 in word \(entry + 1)")
                }
                word = Array(String(decoding: word, as: UTF8.self).utf8)
            }
            words.append(word)
        }
        var prune: [Int32: Int32]?
        if pruneSize >= 0 {
            guard pruneSize <= Int64(cursor.remaining / 8) else {
                throw cursor.source.error(.byte(cursor.offset), .truncated, "the prune index promises \(pruneSize) pairs")
            }
            var index: [Int32: Int32] = [:]
            for _ in 0..<pruneSize { index[try cursor.int32()] = try cursor.int32() }
            prune = index
        }
        self.words = words
        self.labels = labels
        wordCount = nwords
        pruneIndex = prune
    }
}

/// Little-endian reads from a byte source with bounds checks that report the byte offset.
struct BinaryCursor {
    let source: ByteSource
    private(set) var offset = 0

    init(source: ByteSource) {
        self.source = source
    }

    var remaining: Int { source.bytes.count - offset }

    private mutating func take(_ count: Int) throws -> Int {
        guard count <= remaining else {
            throw source.error(.byte(offset), .truncated, "the file ends inside a \(count)-byte field")
        }
        defer { offset += count }
        return offset
    }

    mutating func uint8() throws -> UInt8 { source.bytes[try take(1)] }
    mutating func int32() throws -> Int32 { Int32(littleEndian: source.bytes.loadUnaligned(fromByteOffset: try take(4), as: Int32.self)) }
    mutating func int64() throws -> Int64 { Int64(littleEndian: source.bytes.loadUnaligned(fromByteOffset: try take(8), as: Int64.self)) }
    mutating func float64() throws -> Double { source.bytes.loadUnaligned(fromByteOffset: try take(8), as: Double.self) }

    /// The next `count` bytes.
    mutating func bytes(_ count: Int) throws -> [UInt8] {
        let start = try take(count)
        return Array(source.bytes[start..<(start + count)])
    }

    /// Moves past a dense float32 matrix of `rows` × `columns`, checking that the file holds it.
    mutating func skipMatrix(rows: Int64, columns: Int64, name: String) throws {
        let (bytes, overflow) = rows.multipliedReportingOverflow(by: columns &* 4)
        guard rows >= 0, columns >= 0, !overflow, bytes <= Int64(remaining) else {
            throw source.error(.byte(source.bytes.count), .truncated,
                               "the \(name) matrix (\(rows) × \(columns)) needs \(bytes) bytes from byte \(offset); the file ends first")
        }
        offset += Int(bytes)
    }

    /// A NUL-terminated string's bytes (without the NUL).
    mutating func cString() throws -> [UInt8] {
        let start = offset
        guard let end = source.bytes[start...].firstIndex(of: 0) else {
            throw source.error(.byte(start), .truncated, "the file ends inside a word")
        }
        offset = end + 1
        return Array(source.bytes[start..<end])
    }
}
