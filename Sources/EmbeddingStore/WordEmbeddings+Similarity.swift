import LinearAlgebra

extension WordEmbeddings {
    /// The cosine similarity of two words, or nil when either is unknown.
    /// - Complexity: O(dimensions).
    public func similarity(_ first: String, _ second: String) -> Float? {
        guard let a = index(of: first), let b = index(of: second) else { return nil }
        return cosine(row: a, row: b)
    }

    /// The cosine similarity of rows `a` and `b`, as the dot product of their unit vectors.
    func cosine(row a: Int, row b: Int) -> Float { cosine(unitVector(row: a), unitVector(row: b)) }

    /// The `k` words most similar to `word` (cosine), best first, the word itself excluded; nil
    /// when `word` is unknown.
    /// - Parameters:
    ///   - word: the query.
    ///   - k: how many neighbours.
    ///   - parallelism: the cores the scan uses.
    ///   - restrictVocabulary: search only the first N rows (gensim's `restrict_vocab`).
    /// - Complexity: O(count × dimensions), on all cores.
    public func nearestNeighbors(of word: String, k: Int = 10, restrictVocabulary: Int? = nil,
                                 parallelism: Parallelism = .available) -> [Neighbor]? {
        nearestNeighbors(ofWords: [word], k: k, restrictVocabulary: restrictVocabulary, parallelism: parallelism)[0]
    }

    /// The `k` words most similar to `vector` (cosine), best first.
    /// - Precondition: `vector.count == dimensions`.
    /// - Complexity: O(count × dimensions), on all cores.
    public func nearestNeighbors(of vector: [Float], k: Int = 10, excluding excluded: Set<String> = [],
                                 restrictVocabulary: Int? = nil, parallelism: Parallelism = .available) -> [Neighbor] {
        precondition(vector.count == dimensions, "nearestNeighbors: vector of \(vector.count) for \(dimensions) dimensions")
        let query = SimilarityQuery(vectors: [Self.normalized(vector)], scoring: .cosine,
                                    excluded: Set(excluded.compactMap(index(of:))))
        return search([query], k: k, restrictVocabulary: restrictVocabulary, parallelism: parallelism)[0]
    }

    /// Nearest neighbours of many words in one pass over the vectors (much faster than one call
    /// per word); nil for unknown words.
    /// - Complexity: O(count × dimensions × words.count / cores), as matrix products.
    public func nearestNeighbors(ofWords words: [String], k: Int = 10, restrictVocabulary: Int? = nil,
                                 parallelism: Parallelism = .available) -> [[Neighbor]?] {
        let rows = words.map(index(of:))
        let queries = rows.compactMap { row in
            row.map { SimilarityQuery(vectors: [unitVector(row: $0)], scoring: .cosine, excluded: [$0]) }
        }
        var answers = search(queries, k: k, restrictVocabulary: restrictVocabulary, parallelism: parallelism)
            .makeIterator()
        return rows.map { $0 == nil ? nil : answers.next() }
    }

    /// Answers "a is to b as c is to ?": the `k` best words, the three inputs excluded; nil when
    /// one of them is unknown.
    /// - Complexity: O(count × dimensions), on all cores.
    public func analogy(a: String, b: String, c: String, k: Int = 10, method: AnalogyMethod = .add,
                        restrictVocabulary: Int? = nil, parallelism: Parallelism = .available) -> [Neighbor]? {
        analogies([(a, b, c)], k: k, method: method, restrictVocabulary: restrictVocabulary, parallelism: parallelism)[0]
    }

    /// Many analogies in one pass over the vectors; nil where a word is unknown.
    public func analogies(_ questions: [(a: String, b: String, c: String)], k: Int = 10, method: AnalogyMethod = .add,
                          restrictVocabulary: Int? = nil, parallelism: Parallelism = .available) -> [[Neighbor]?] {
        let queries = questions.map { question -> SimilarityQuery? in
            guard let a = index(of: question.a), let b = index(of: question.b), let c = index(of: question.c) else {
                return nil
            }
            return analogyQuery(a: a, b: b, c: c, method: method)
        }
        var answers = search(queries.compactMap { $0 }, k: k, restrictVocabulary: restrictVocabulary,
                             parallelism: parallelism).makeIterator()
        return queries.map { $0 == nil ? nil : answers.next() }
    }

    /// The word least like the others (farthest from the mean of their unit vectors), as gensim's
    /// `doesnt_match`; unknown words are ignored; nil when none is known.
    /// - Complexity: O(words × dimensions).
    public func doesntMatch(_ words: [String]) -> String? {
        let known = words.filter(contains)
        guard !known.isEmpty else { return nil }
        let units = known.map { unitVector(row: index(of: $0)!) }
        var mean = [Float](repeating: 0, count: dimensions)
        for unit in units { for index in mean.indices { mean[index] += unit[index] } }
        mean = Self.normalized(mean.map { $0 / Float(units.count) })
        let distances = units.map { cosine($0, mean) }
        return known[distances.indices.min { distances[$0] < distances[$1] }!]
    }

    /// The sentence vector of `line` as `fasttext print-sentence-vectors` computes it for an
    /// unsupervised model: the mean of the unit-length vectors of its whitespace-separated words
    /// (unknown words by their n-grams where the file has them; zero vectors and words without a
    /// vector are left out); zeros when no word counts.
    /// - Complexity: O(words × dimensions).
    public func sentenceVector(_ line: String) -> [Float] {
        var sum = [Float](repeating: 0, count: dimensions)
        var count = 0
        for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
            guard var vector = vector(for: String(word)) else { continue }
            let norm = vector.withUnsafeBufferPointer(Kernels.l2Norm)
            guard norm > 0 else { continue }
            vector.withUnsafeMutableBufferPointer { Kernels.scale($0, by: 1 / norm) }
            vector.withUnsafeBufferPointer { unit in sum.withUnsafeMutableBufferPointer { Kernels.add(unit, to: $0) } }
            count += 1
        }
        if count > 0 { sum.withUnsafeMutableBufferPointer { Kernels.scale($0, by: 1 / Float(count)) } }
        return sum
    }

    /// The query gensim's analogy methods build for rows a, b, c.
    func analogyQuery(a: Int, b: Int, c: Int, method: AnalogyMethod) -> SimilarityQuery {
        let (unitA, unitB, unitC) = (unitVector(row: a), unitVector(row: b), unitVector(row: c))
        switch method {
        case .add:
            let mean = (0..<dimensions).map { (unitB[$0] + unitC[$0] - unitA[$0]) / 3 }
            return SimilarityQuery(vectors: [Self.normalized(mean)], scoring: .cosine, excluded: [a, b, c])
        case .multiply:
            return SimilarityQuery(vectors: [unitB, unitC, unitA], scoring: .multiplicative(positive: 2),
                                   excluded: [a, b, c])
        }
    }

    /// Runs queries, at most 256 per pass over the vectors, and names the rows found.
    func search(_ queries: [SimilarityQuery], k: Int, restrictVocabulary: Int?, parallelism: Parallelism) -> [[Neighbor]] {
        let scan = SimilarityScan(embeddings: self, rowLimit: Swift.min(count, restrictVocabulary ?? count), parallelism: parallelism)
        return stride(from: 0, to: queries.count, by: 256).flatMap { start in
            let batch = Array(queries[start..<Swift.min(start + 256, queries.count)])
            return searchesAreExact && precision != .float32
                ? scan.rerankedTopK(batch, k: k, bound: cosineErrorBound) : scan.topK(batch, k: k)
        }.map { $0.map { Neighbor(word: vocabulary.word(at: $0.index), similarity: $0.score) } }
    }

    /// Row `row` scaled to unit length (zero stays zero).
    func unitVector(row: Int) -> [Float] { Self.normalized(vector(at: row)) }

    static func normalized(_ vector: [Float]) -> [Float] {
        var copy = vector
        _ = copy.withUnsafeMutableBufferPointer { Kernels.normalize($0) }
        return copy
    }

    private func cosine(_ a: [Float], _ b: [Float]) -> Float {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in Kernels.dot(x, y) } }
    }
}
