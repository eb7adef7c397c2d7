import LinearAlgebra
import LinearAlgebraKernels
import Synchronization

/// One similarity search: query vectors whose cosines with each row combine into a score.
struct SimilarityQuery: Sendable {
    /// How the cosines of a row with the query vectors become its score.
    enum Scoring: Sendable {
        /// The cosine with the single query vector.
        case cosine
        /// 3CosMul (Levy & Goldberg): the product of `(1 + cos) / 2` over the first `positive`
        /// vectors divided by the same product over the others plus 1e-6.
        case multiplicative(positive: Int)
    }

    /// Unit-length query vectors.
    var vectors: [[Float]]
    var scoring: Scoring
    /// Rows never returned (the query words themselves).
    var excluded: Set<Int>
}

/// Exact top-k similarity search over the first `rowLimit` rows, on all cores.
///
/// Rows are processed in blocks: for each block the dot products with every query vector come
/// from one matrix product (or matrix×vector for a few vectors), are divided by the row norms,
/// combined into scores, and only scores above a query's current k-th best are offered to its
/// selector. Threads scan disjoint row ranges and their selectors are merged at the end.
struct SimilarityScan {
    let embeddings: WordEmbeddings
    let rowLimit: Int
    let parallelism: Parallelism

    private static let blockRows = 1024

    /// The `k` best rows for each query, best first (ties to the lower row).
    func topK(_ queries: [SimilarityQuery], k: Int) -> [[TopKSelector.Entry]] {
        guard !queries.isEmpty, rowLimit > 0 else { return queries.map { _ in [] } }
        embeddings.expectRowAccess(.sequential)
        _ = embeddings.norms.values(for: embeddings)  // computed once, before the threads start
        let vectors = queries.flatMap(\.vectors)
        let packed = vectors.flatMap { $0 }
        let compactQueries = compactRows.map { rows in vectors.map { vector in vector.withUnsafeBufferPointer(rows.prepare) } }
        let results = Mutex([TopKSelector]?(nil))
        let scan = self
        parallelism.forEachChunk(of: rowLimit, minimumChunkSize: Self.blockRows) { rows in
            let norms = scan.embeddings.norms.values(for: scan.embeddings)
            var selectors = queries.map { TopKSelector(k: k + $0.excluded.count) }
            var dots = [Float](repeating: 0, count: vectors.count * Self.blockRows)
            var candidates = [UInt32](repeating: 0, count: Self.blockRows)
            // Compact rows of a block decoded to float32, for a batch's matrix product.
            var decoded = [Float](repeating: 0, count: compactQueries != nil && vectors.count > 4 ? Self.blockRows * scan.embeddings.dimensions : 0)
            var start = rows.lowerBound
            while start < rows.upperBound {
                let block = start..<min(start + Self.blockRows, rows.upperBound)
                if let compactQueries, let rows = scan.compactRows {
                    if decoded.isEmpty {
                        scan.compactDotProducts(compactQueries, rows: rows, block: block, into: &dots)
                    } else {
                        scan.decodedDotProducts(packed, vectorCount: vectors.count, rows: rows, block: block, scratch: &decoded, into: &dots)
                    }
                } else {
                    scan.dotProducts(packed, vectorCount: vectors.count, rows: block, into: &dots)
                }
                var first = 0
                for (queryIndex, query) in queries.enumerated() {
                    scan.offerScores(query, dots: dots, firstVector: first, rows: block, norms: norms, queryVectors: packed, candidates: &candidates,
                                     to: &selectors[queryIndex])
                    first += query.vectors.count
                }
                start = block.upperBound
            }
            results.withLock { merged in
                if merged == nil {
                    merged = selectors
                } else {
                    for index in selectors.indices { merged![index].merge(selectors[index]) }
                }
            }
        }
        let selectors = results.withLock { $0 } ?? []
        return zip(queries, selectors).map { query, selector in
            Array(selector.sortedResults().lazy.filter { !query.excluded.contains($0.index) }.prefix(k))
        }
    }

    /// The compact rows searched, when the embeddings are a compact native file.
    var compactRows: CompactRows? {
        if case .compact(let rows) = embeddings.storage { rows } else { nil }
    }

    /// `dots[v * blockRows + r]` = query vector v · stored row (block.lowerBound + r): one pass per
    /// vector over the block's compact rows (the block stays in cache between vectors).
    private func compactDotProducts(_ queries: [CompactRows.Query], rows: CompactRows, block: Range<Int>, into dots: inout [Float]) {
        dots.withUnsafeMutableBufferPointer { output in
            for (vector, query) in queries.enumerated() {
                rows.dots(query, rows: block, into: output.baseAddress! + vector * Self.blockRows)
            }
        }
    }

    /// `dots[v * blockRows + r]` = query vector v · stored row (block.lowerBound + r) for a batch:
    /// the block's rows decoded to float32 once, then one matrix product with every vector.
    private func decodedDotProducts(_ packed: [Float], vectorCount: Int, rows: CompactRows, block: Range<Int>,
                                    scratch: inout [Float], into dots: inout [Float]) {
        let dimensions = embeddings.dimensions
        scratch.withUnsafeMutableBufferPointer { decoded in
            for (offset, row) in block.enumerated() { rows.decode(row, into: decoded.baseAddress! + offset * dimensions) }
            packed.withUnsafeBufferPointer { queries in
                dots.withUnsafeMutableBufferPointer { output in
                    Kernels.multiply(queries.baseAddress!, .none, lda: dimensions, decoded.baseAddress!, .transposed, ldb: dimensions,
                                     into: output.baseAddress!, ldc: Self.blockRows, m: vectorCount, n: block.count, k: dimensions,
                                     parallelism: .serial)
                }
            }
        }
    }

    /// `dots[v * blockRows + r]` = query vector v · row (block.lowerBound + r).
    private func dotProducts(_ packed: [Float], vectorCount: Int, rows block: Range<Int>, into dots: inout [Float]) {
        let dimensions = embeddings.dimensions
        let stride = Self.blockRows
        if let contiguous = embeddings.contiguousRows(from: block.lowerBound), vectorCount > 4 {
            packed.withUnsafeBufferPointer { queries in
                dots.withUnsafeMutableBufferPointer { output in
                    Kernels.multiply(queries.baseAddress!, .none, lda: dimensions,
                                     contiguous, .transposed, ldb: dimensions,
                                     into: output.baseAddress!, ldc: stride,
                                     m: vectorCount, n: block.count, k: dimensions, parallelism: .serial)
                }
            }
            return
        }
        packed.withUnsafeBufferPointer { queries in
            dots.withUnsafeMutableBufferPointer { output in
                for vector in 0..<vectorCount {
                    let query = queries.baseAddress! + vector * dimensions
                    if let contiguous = embeddings.contiguousRows(from: block.lowerBound) {
                        ek_gemv(InstructionSet.detected.kernelValue, block.count, dimensions, contiguous, dimensions,
                                query, output.baseAddress! + vector * stride)
                    } else {
                        for (offset, row) in block.enumerated() {
                            output[vector * stride + offset] = embeddings.withRow(at: row) {
                                Kernels.dot($0, UnsafeRawPointer(query), count: dimensions)
                            }
                        }
                    }
                }
            }
        }
    }

    /// Turns one query's dot products for a block into scores and offers those that can enter
    /// its top k.
    /// Rows whose norm is tiny or huge (values near the float range's ends) are scored in double
    /// precision, where their products would underflow or overflow.
    private func offerScores(_ query: SimilarityQuery, dots: [Float], firstVector: Int, rows block: Range<Int>,
                             norms: UnsafeBufferPointer<Float>, queryVectors: [Float], candidates: inout [UInt32],
                             to selector: inout TopKSelector) {
        let stride = Self.blockRows
        dots.withUnsafeBufferPointer { dots in
            func cosine(_ vector: Int, _ offset: Int, _ row: Int) -> Float {
                let norm = norms[row]
                guard norm >= 1e-18 && norm <= 1e18 else { return exactCosine(queryVectors, vector: vector, row: row) }
                return dots[vector * stride + offset] / norm
            }
            switch query.scoring {
            case .cosine:
                // Most rows cannot enter the top k: a vector comparison against the k-th best at the
                // block's start (dot ≥ threshold · norm, with room for rounding) rules them out first.
                var threshold = selector.threshold
                let count = candidates.withUnsafeMutableBufferPointer {
                    ek_select_candidates(InstructionSet.detected.kernelValue, block.count, dots.baseAddress! + firstVector * stride,
                                         norms.baseAddress! + block.lowerBound, threshold, $0.baseAddress!)
                }
                for offset in candidates.prefix(count).lazy.map(Int.init) {
                    let row = block.lowerBound + offset
                    let score = cosine(firstVector, offset, row)
                    if score >= threshold {
                        selector.offer(index: row, score: score)
                        threshold = selector.threshold
                    }
                }
            case .multiplicative(let positive):
                var threshold = selector.threshold
                for (offset, row) in block.enumerated() {
                    var numerator: Float = 1, denominator: Float = 1
                    for vector in 0..<query.vectors.count {
                        let shifted = (1 + cosine(firstVector + vector, offset, row)) / 2
                        if vector < positive { numerator *= shifted } else { denominator *= shifted }
                    }
                    let score = numerator / (denominator + 1e-6)
                    if score >= threshold {
                        selector.offer(index: row, score: score)
                        threshold = selector.threshold
                    }
                }
            }
        }
    }

    /// The cosine of unit query vector `vector` and row `row`, in double precision.
    func exactCosine(_ queryVectors: [Float], vector: Int, row: Int) -> Float {
        let dimensions = embeddings.dimensions
        return embeddings.withRow(at: row) { values in
            var dot = 0.0, squares = 0.0
            for index in 0..<dimensions {
                let value = Double(values.loadUnaligned(fromByteOffset: index * MemoryLayout<Float>.stride, as: Float.self))
                dot += value * Double(queryVectors[vector * dimensions + index])
                squares += value * value
            }
            return squares > 0 ? Float(dot / squares.squareRoot()) : 0
        }
    }
}
