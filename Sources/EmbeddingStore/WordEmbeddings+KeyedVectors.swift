import LinearAlgebra

/// The conveniences of gensim's `KeyedVectors`, with its definitions.
extension WordEmbeddings {
    /// The vector of `word` (`embeddings["king"]`), as `vector(for:)`: nil for an unknown word
    /// unless the file has character n-grams.
    public subscript(word: String) -> [Float]? { vector(for: word) }

    /// The `k` words most similar to the mean of the unit vectors of `positive` minus those of
    /// `negative` (gensim's `most_similar(positive=, negative=)`), the query words excluded; nil
    /// when a word is unknown or no word is given.
    /// - Complexity: O(count × dimensions), on all cores.
    public func mostSimilar(positive: [String], negative: [String] = [], k: Int = 10, restrictVocabulary: Int? = nil,
                            parallelism: Parallelism = .available) -> [Neighbor]? {
        let rows = (positive + negative).map(index(of:))
        guard !rows.isEmpty, rows.allSatisfy({ $0 != nil }) else { return nil }
        var direction = [Float](repeating: 0, count: dimensions)
        for (position, row) in rows.enumerated() {
            let unit = unitVector(row: row!), weight: Float = position < positive.count ? 1 : -1
            for dimension in 0..<dimensions { direction[dimension] += weight * unit[dimension] }
        }
        let query = SimilarityQuery(vectors: [Self.normalized(direction)], scoring: .cosine, excluded: Set(rows.compactMap { $0 }))
        return search([query], k: k, restrictVocabulary: restrictVocabulary, parallelism: parallelism)[0]
    }

    /// 1 − the cosine similarity of two words (gensim's `distance`), or nil when either is unknown.
    public func distance(_ first: String, _ second: String) -> Float? {
        similarity(first, second).map { 1 - $0 }
    }

    /// The cosine similarity of the mean vectors of two word sets (gensim's `n_similarity`),
    /// or nil when a set is empty or holds an unknown word (gensim leaves unknown words out).
    public func nSimilarity(_ first: [String], _ second: [String]) -> Float? {
        func meanDirection(_ words: [String]) -> [Float]? {
            let rows = words.map(index(of:))
            guard !rows.isEmpty, rows.allSatisfy({ $0 != nil }) else { return nil }
            var sum = [Float](repeating: 0, count: dimensions)
            for row in rows { for (dimension, value) in vector(at: row!).enumerated() { sum[dimension] += value } }
            return Self.normalized(sum)
        }
        guard let a = meanDirection(first), let b = meanDirection(second) else { return nil }
        return a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in Kernels.dot(x, y) } }
    }

    /// The words more similar to `word` than `other` is, in file order, `word` itself left out
    /// (gensim's `closer_than`); nil when either is unknown.
    /// - Complexity: O(count × dimensions).
    public func closerThan(_ word: String, _ other: String) -> [String]? {
        guard let row = index(of: word), let otherRow = index(of: other) else { return nil }
        let similarities = cosines(to: row)
        let bound = similarities[otherRow]
        return similarities.indices.filter { $0 != row && similarities[$0] > bound }.map { vocabulary.word(at: $0) }
    }

    /// The rank of `other` among the words most similar to `word`, 1 for the closest (gensim's
    /// `rank`); nil when either is unknown.
    public func rank(of other: String, from word: String) -> Int? {
        closerThan(word, other).map { $0.count + 1 }
    }

    /// The cosine similarity of row `row` to every row.
    private func cosines(to row: Int) -> [Float] {
        let unit = unitVector(row: row), norms = norms.values(for: self)
        return unit.withUnsafeBufferPointer { query in
            (0..<count).map { other in
                let dot = withRow(at: other) { Kernels.dot(UnsafeRawPointer(query.baseAddress!), $0, count: dimensions) }
                return norms[other] > 0 ? dot / norms[other] : 0
            }
        }
    }
}
