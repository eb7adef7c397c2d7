import EmbeddingStore
import LinearAlgebra
import Testing

/// Cosines and norms of vectors near the ends of the float range, against float64 arithmetic on
/// the same stored values: squares of 1e30 overflow float32 and squares of 1e-30 vanish, so
/// these once came out as `0`, `inf` or `nan`.
@Suite struct ExtremeValueTests {
    /// Huge, near the largest float, tiny, subnormal (1.2e-41), a few subnormal steps (9.8e-45), ordinary.
    static let scales: [Float] = [1e30, 3e38, 1e-30, Float.leastNormalMagnitude / 1000, Float.leastNonzeroMagnitude * 7, 1]

    /// cos(a, b) in float64 from the float32 values.
    static func exactCosine(_ a: [Float], _ b: [Float]) -> Double {
        let dot = zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let norms = [a, b].map { $0.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
        return dot / (norms[0] * norms[1])
    }

    @Test(arguments: scales)
    func similarityAndNeighborsMatchFloat64(_ scale: Float) throws {
        let words = ["a", "b", "c", "d"]
        let vectors: [[Float]] = [[1, 1, 0, 0.5], [1, 0, 0, 0], [0.25, -1, 1, 0], [-1, -0.5, 0.75, 1]].map { $0.map { $0 * scale } }
        let embeddings = WordEmbeddings(words: words, vectors: vectors, dimensions: 4)
        for (i, first) in words.enumerated() {
            for (j, second) in words.enumerated() {
                let similarity = try #require(embeddings.similarity(first, second))
                #expect(abs(Double(similarity) - Self.exactCosine(vectors[i], vectors[j])) < 1e-6, "\(scale): \(first) \(second) \(similarity)")
            }
            let neighbors = try #require(embeddings.nearestNeighbors(of: first, k: 3))
            for neighbor in neighbors {
                let exact = Self.exactCosine(vectors[i], vectors[words.firstIndex(of: neighbor.word)!])
                #expect(abs(Double(neighbor.similarity) - exact) < 1e-6, "\(scale): \(first) → \(neighbor)")
            }
        }
    }

    @Test(arguments: scales)
    func normsAndNormalizationMatchFloat64(_ scale: Float) {
        var vector: [Float] = (0..<37).map { (Float($0 % 5) - 2) / 2 }.map { $0 * scale }
        let exact = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        let norm = vector.withUnsafeBufferPointer(Kernels.l2Norm)
        if exact > Double(Float.greatestFiniteMagnitude) {
            #expect(norm == .infinity, "\(scale): a norm beyond the float range is infinite")
        } else {
            // Within float32's rounding of the result (subnormal results have an absolute step).
            #expect(abs(Double(norm) - exact) <= max(exact * 1e-6, Double(Float.leastNonzeroMagnitude)), "\(scale): \(norm) vs \(exact)")
        }
        vector.withUnsafeMutableBufferPointer { _ = Kernels.normalize($0) }
        let unit = vector.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        #expect(abs(unit - 1) < 1e-5, "\(scale): normalized norm \(unit)")
    }
}
