import Foundation

/// The leading principal components of a set of vectors, for drawing them in two dimensions.
public enum PrincipalComponents {
    /// Each row of `rows` (all of one length) projected on the first `count` principal
    /// components of the rows (centred; components by power iteration on the covariance in
    /// double precision, each deflated before the next, signs fixed so the largest coordinate is
    /// positive). Fewer than two rows project to zeros.
    /// - Precondition: every row has the same length.
    public static func project(_ rows: [[Float]], count: Int = 2) -> [[Double]] {
        guard let width = rows.first?.count, rows.count >= 2, width > 0 else { return rows.map { _ in [Double](repeating: 0, count: count) } }
        precondition(rows.allSatisfy { $0.count == width }, "PrincipalComponents: rows of different lengths")
        let mean = (0..<width).map { column in rows.reduce(0.0) { $0 + Double($1[column]) } / Double(rows.count) }
        let centred = rows.map { row in (0..<width).map { Double(row[$0]) - mean[$0] } }
        var covariance = [Double](repeating: 0, count: width * width)
        for row in centred {
            for i in 0..<width where row[i] != 0 {
                for j in 0..<width { covariance[i * width + j] += row[i] * row[j] }
            }
        }
        var components: [[Double]] = []
        for index in 0..<min(count, width) {
            var vector = (0..<width).map { Double(($0 * 7 + index * 3) % 11 + 1) }
            var eigenvalue = 0.0
            for _ in 0..<500 {
                var next = [Double](repeating: 0, count: width)
                for i in 0..<width { for j in 0..<width { next[i] += covariance[i * width + j] * vector[j] } }
                let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 1e-300 else { break }
                next = next.map { $0 / norm }
                let change = zip(next, vector).reduce(0) { $0 + abs($1.0 - $1.1) }
                vector = next
                eigenvalue = norm
                if change < 1e-12 { break }
            }
            if let largest = vector.max(by: { abs($0) < abs($1) }), largest < 0 { vector = vector.map { -$0 } }
            components.append(vector)
            // Deflate: remove this component's share of the covariance.
            for i in 0..<width { for j in 0..<width { covariance[i * width + j] -= eigenvalue * vector[i] * vector[j] } }
        }
        while components.count < count { components.append([Double](repeating: 0, count: width)) }
        return centred.map { row in components.map { component in zip(row, component).reduce(0) { $0 + $1.0 * $1.1 } } }
    }
}
