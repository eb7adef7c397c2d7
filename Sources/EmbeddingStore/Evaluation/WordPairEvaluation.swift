import Foundation

/// Correlation of cosine similarities with human scores on a word-pair file (`word1<TAB>word2<TAB>
/// score`, `#` comments), computed as gensim's `evaluate_word_pairs` does: case-insensitive, the
/// first `restrictVocabulary` words, pairs with unknown words skipped.
public struct WordPairEvaluation: Sendable, Codable {
    /// Pairs evaluated.
    public let pairs: Int
    /// Pearson correlation of model and human scores.
    public let pearson: Double
    /// Spearman rank correlation (ties get their average rank).
    public let spearman: Double
    /// Skipped pairs (unknown words) as a percentage of all valid pairs.
    public let oovRatio: Double
    /// Lines that are not `word<TAB>word<TAB>number` (skipped, as gensim does).
    public let invalidLines: Int

    /// Evaluates `embeddings` on the word-pair file at `path`.
    /// - Throws: `EmbeddingFileError` when the file cannot be read or no pair can be evaluated.
    /// - Complexity: O(pairs × dimensions).
    public init(embeddings: WordEmbeddings, pairsAt path: String, restrictVocabulary: Int = 300_000) throws {
        let known = EvaluationFile.uppercasedIndex(embeddings, restrictVocabulary: restrictVocabulary)
        var human: [Double] = [], model: [Double] = []
        var oov = 0, invalid = 0
        for line in try EvaluationFile.lines(of: path) where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard fields.count == 3, let score = Double(fields[2].trimmingCharacters(in: .whitespaces)) else {
                invalid += 1
                continue
            }
            guard let a = known[fields[0].uppercased()], let b = known[fields[1].uppercased()] else {
                oov += 1
                continue
            }
            human.append(score)
            model.append(Double(embeddings.cosine(row: a, row: b)))
        }
        guard human.count >= 2 else {
            throw EmbeddingFileError(path: path, location: .file, kind: .badNumber,
                                     message: "fewer than two pairs with known words to correlate")
        }
        pairs = human.count
        pearson = Statistics.pearson(human, model)
        spearman = Statistics.pearson(Statistics.ranks(human), Statistics.ranks(model))
        oovRatio = Double(oov) / Double(human.count + oov) * 100
        invalidLines = invalid
    }
}

/// Correlation helpers.
enum Statistics {
    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let meanX = x.reduce(0, +) / Double(x.count), meanY = y.reduce(0, +) / Double(y.count)
        var covariance = 0.0, varianceX = 0.0, varianceY = 0.0
        for (a, b) in zip(x, y) {
            covariance += (a - meanX) * (b - meanY)
            varianceX += (a - meanX) * (a - meanX)
            varianceY += (b - meanY) * (b - meanY)
        }
        return covariance / (varianceX * varianceY).squareRoot()
    }

    /// 1-based ranks, ties sharing their average rank.
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] }
        var ranks = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && values[order[end + 1]] == values[order[start]] { end += 1 }
            let average = Double(start + end) / 2 + 1
            for position in start...end { ranks[order[position]] = average }
            start = end + 1
        }
        return ranks
    }
}
