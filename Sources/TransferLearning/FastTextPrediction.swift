import EmbeddingStore
import Foundation
import LinearAlgebra

/// Predicts with a supervised fastText model as `fasttext predict-prob` does: from the line's
/// hidden layer, softmax, one sigmoid per label (one-vs-all and negative sampling, through
/// fastText's sigmoid table), or a pruned depth-first search of the hierarchical softmax's
/// Huffman tree; probabilities reported as fastText prints them, `p + 1e-5`.
struct FastTextPredictor: Sendable {
    let model: FastTextSupervisedModel
    private let tree: HuffmanTree?

    init(_ model: FastTextSupervisedModel) {
        self.model = model
        tree = model.loss == .hierarchicalSoftmax ? HuffmanTree(counts: model.labelCounts) : nil
    }

    /// The `k` most probable labels of `line` with probability at least `threshold`, best first.
    /// - Complexity: O((tokens × n-grams + labels) × dimensions).
    func predict(_ line: String, k: Int, threshold: Float) -> [Prediction] {
        let hidden = model.sentenceVector(line)
        var best: [(score: Float, label: Int)] = []
        hidden.withUnsafeBufferPointer { hidden in
            if let tree {
                tree.search(k: k, threshold: threshold, model: model, hidden: hidden, into: &best)
            } else {
                var scores = model.labels.indices.map { model.outputScore(row: $0, hidden: hidden) }
                if model.loss == .softmax {
                    scores.withUnsafeMutableBufferPointer { Kernels.softmax($0) }
                } else {
                    scores = scores.map(Self.tabulatedSigmoid)
                }
                for (label, probability) in scores.enumerated() where probability >= threshold {
                    best.append((Self.logProbability(probability), label))
                }
                best.sort { $0.score > $1.score || ($0.score == $1.score && $0.label < $1.label) }
                best = Array(best.prefix(k))
            }
        }
        return best.map { Prediction(label: model.labels[$0.label], probability: Foundation.exp($0.score)) }
    }

    /// fastText's one-vs-all and negative-sampling sigmoid: a 512-step table over [-8, 8]
    /// (0 below, 1 above), which predictions must reproduce to match it.
    /// NaN (from NaN weights in a damaged file) gives 0 rather than trapping.
    static func tabulatedSigmoid(_ x: Float) -> Float {
        if !(x >= -8) { return 0 }
        if x > 8 { return 1 }
        let step = Float(Int64((x + 8) * 512 / 8 / 2))
        let tableX = step * 2 * 8 / 512 - 8
        return Float(1 / (1 + Foundation.exp(-Double(tableX))))
    }

    /// fastText's `std_log`: log(p + 1e-5).
    static func logProbability(_ probability: Float) -> Float { Foundation.log(probability + 1e-5) }
}

/// fastText's Huffman tree over label counts (counts in decreasing order, as the dictionary
/// stores them), for hierarchical-softmax prediction.
struct HuffmanTree: Sendable {
    private var left: [Int], right: [Int]
    private let leaves: Int

    init(counts: [Int64]) {
        leaves = counts.count
        let size = 2 * leaves - 1
        var count = [Int64](repeating: Int64(1e15), count: size)
        left = [Int](repeating: -1, count: size)
        right = [Int](repeating: -1, count: size)
        for index in counts.indices { count[index] = counts[index] }
        var leaf = leaves - 1, node = leaves
        for parent in leaves..<max(leaves, size) {
            var smallest = [0, 0]
            for pick in 0..<2 {
                if leaf >= 0 && count[leaf] < count[node] {
                    smallest[pick] = leaf
                    leaf -= 1
                } else {
                    smallest[pick] = node
                    node += 1
                }
            }
            left[parent] = smallest[0]
            right[parent] = smallest[1]
            count[parent] = count[smallest[0]].addingReportingOverflow(count[smallest[1]]).overflow
                ? .max : count[smallest[0]] + count[smallest[1]]  // hostile counts saturate instead of trapping
        }
    }

    /// The `k` best leaves by summed log probability (fastText's depth-first search with pruning).
    func search(k: Int, threshold: Float, model: FastTextSupervisedModel, hidden: UnsafeBufferPointer<Float>,
                into best: inout [(score: Float, label: Int)]) {
        guard leaves > 0 else { return }
        visit(2 * leaves - 2, score: 0, k: k, threshold: threshold, model: model, hidden: hidden, best: &best)
        best.sort { $0.score > $1.score || ($0.score == $1.score && $0.label < $1.label) }
    }

    private func visit(_ node: Int, score: Float, k: Int, threshold: Float, model: FastTextSupervisedModel,
                       hidden: UnsafeBufferPointer<Float>, best: inout [(score: Float, label: Int)]) {
        if score < FastTextPredictor.logProbability(threshold) { return }
        if best.count == k, let worst = best.map(\.score).min(), score < worst { return }
        if left[node] == -1 && right[node] == -1 {
            best.append((score, node))
            if best.count > k, let worst = best.indices.min(by: { best[$0].score < best[$1].score }) { best.remove(at: worst) }
            return
        }
        let f = 1 / (1 + Foundation.exp(-model.outputScore(row: node - leaves, hidden: hidden)))
        visit(left[node], score: score + FastTextPredictor.logProbability(1 - f), k: k, threshold: threshold,
              model: model, hidden: hidden, best: &best)
        visit(right[node], score: score + FastTextPredictor.logProbability(f), k: k, threshold: threshold,
              model: model, hidden: hidden, best: &best)
    }
}
