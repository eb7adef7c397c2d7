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
}
