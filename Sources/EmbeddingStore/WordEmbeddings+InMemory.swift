import Foundation

extension WordEmbeddings {
    /// A table built in memory from words and their vectors (later duplicates are dropped).
    /// - Precondition: one vector of `dimensions` floats per word, `dimensions > 0`.
    /// - Complexity: O(words × dimensions).
    public init(words: [String], vectors: [[Float]], dimensions: Int) {
        precondition(words.count == vectors.count, "WordEmbeddings: \(words.count) words for \(vectors.count) vectors")
        precondition(dimensions > 0 && vectors.allSatisfy { $0.count == dimensions }, "WordEmbeddings: vectors must have \(dimensions) values")
        var builder = VocabularyBuilder(expectedCount: words.count)
        let rows = RowBuffer(dimensions: dimensions, capacity: words.count)
        for (word, vector) in zip(words, vectors) {
            var word = word
            let inserted = word.withUTF8 { builder.insert(UnsafeRawBufferPointer($0)) }
            if inserted != nil { vector.withUnsafeBufferPointer { rows.appendRow().update(from: $0.baseAddress!, count: dimensions) } }
        }
        let metadata = EmbeddingMetadata(format: .native, sourcePath: "", wasCompressed: false, duplicateCount: builder.duplicateCount)
        self.init(vocabulary: builder.build(), dimensions: dimensions, storage: .owned(rows), metadata: metadata,
                  caseMatching: .exact)
    }

    /// A cheap content fingerprint of the file at `path`: its size and a 64-bit FNV-1a hash of
    /// its first and last MiB (hex), or nil when it cannot be read. It survives copying the file
    /// and tells apart the files a model could have been trained with.
    /// - Complexity: O(1) reads of at most 2 MiB.
    public static func fingerprint(ofFileAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        let window: UInt64 = 1 << 20
        try? handle.seek(toOffset: 0)
        var sample = (try? handle.read(upToCount: Int(Swift.min(size, window)))) ?? Data()
        if size > window {
            try? handle.seek(toOffset: Swift.max(window, size - window))
            sample.append((try? handle.read(upToCount: Int(window))) ?? Data())
        }
        let hash = sample.withUnsafeBytes { WordHash.hash($0) }
        return "\(size)-" + String(hash, radix: 16)
    }
}
