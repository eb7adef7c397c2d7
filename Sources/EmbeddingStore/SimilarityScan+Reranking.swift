import LinearAlgebra

extension SimilarityScan {
    /// The `k` best rows for each query of a compact file with a float32 copy, as the float32
    /// file answers: the best candidates by compact score are scored again from the copy.
    ///
    /// For cosine queries the answer is proven: a row left out has a compact score at most the
    /// last candidate's, so a float32 score at most that plus the file's cosine error bound; when
    /// the k-th re-ranked score does not clear that, the query runs again with 4× the candidates.
    /// 3CosMul queries take the re-ranked best of `max(4k, k + 32)` candidates without the proof.
    func rerankedTopK(_ queries: [SimilarityQuery], k: Int, bound: Float) -> [[TopKSelector.Entry]] {
        // Float rounding of the dot products themselves, on top of the stored rows' error.
        let margin = bound + 1e-5
        var results = [[TopKSelector.Entry]](repeating: [], count: queries.count)
        var pending = Array(queries.indices)
        var candidates = Swift.max(4 * k, k + 32)
        while !pending.isEmpty {
            let found = topK(pending.map { queries[$0] }, k: candidates)
            var unproven: [Int] = []
            for (position, queryIndex) in pending.enumerated() {
                let query = queries[queryIndex], packed = query.vectors.flatMap { $0 }
                let rescored = found[position].map { TopKSelector.Entry(index: $0.index, score: exactScore(query, packed, row: $0.index)) }
                let answer = Array(rescored.sorted(by: Self.better).prefix(k))
                let everyRowWasACandidate = found[position].count < candidates || candidates >= rowLimit
                var proven = true
                if case .cosine = query.scoring, !everyRowWasACandidate, let last = found[position].last {
                    proven = answer.count == k && answer[k - 1].score > last.score + margin
                }
                if proven || everyRowWasACandidate { results[queryIndex] = answer } else { unproven.append(queryIndex) }
            }
            pending = unproven
            candidates *= 4
        }
        return results
    }

    private static func better(_ a: TopKSelector.Entry, _ b: TopKSelector.Entry) -> Bool {
        a.score > b.score || (a.score == b.score && a.index < b.index)
    }

    /// The score of `row` for `query` (whose vectors `packed` holds back to back) from the row's
    /// float32 values (the copy), in double precision.
    private func exactScore(_ query: SimilarityQuery, _ packed: [Float], row: Int) -> Float {
        switch query.scoring {
        case .cosine:
            return exactCosine(packed, vector: 0, row: row)
        case .multiplicative(let positive):
            var numerator: Float = 1, denominator: Float = 1
            for vector in 0..<query.vectors.count {
                let shifted = (1 + exactCosine(packed, vector: vector, row: row)) / 2
                if vector < positive { numerator *= shifted } else { denominator *= shifted }
            }
            return numerator / (denominator + 1e-6)
        }
    }
}
