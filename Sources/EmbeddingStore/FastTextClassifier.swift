import Foundation
import LinearAlgebra

/// A fastText supervised model (`.bin` or quantized `.ftz`) used as it is — the "use a
/// pre-trained model directly" strategy — predicting as `fasttext predict-prob` does.
///
/// A line's input is the mean of the input rows of its words (each with its character n-grams
/// when the model has them; unknown words by their n-grams), its word n-grams
/// (`h = h · 116049371 + hash`, up to `wordNgrams`) and the end-of-sentence token `</s>`.
/// Scores come from softmax, one-vs-all sigmoids, or the hierarchical softmax over fastText's
/// Huffman tree of label counts; probabilities are reported as fastText prints them, `p + 1e-5`.
public struct FastTextClassifier: Sendable {
    /// A label (without `__label__`) and its probability.
    public struct Prediction: Sendable, Hashable {
        /// The label name without the `__label__` prefix.
        public let label: String
        /// The probability as fastText reports it (floored at 1e-5).
        public let probability: Float
    }

    /// The label names without the `__label__` prefix, by output row.
    public let labels: [String]
    private let model: FastTextModelFile
    private let words: Vocabulary
    private let subwords: SubwordVectors
    private let tree: HuffmanTree?
    /// Keeps the mapping alive.
    private let source: ByteSource

    /// Opens a supervised fastText model.
    /// - Throws: `EmbeddingFileError` for a file that is not a fastText model, is damaged, or has
    ///   no labels (an unsupervised model).
    public init(contentsOf path: String) throws {
        let file = try MappedFile(path: path)
        source = ByteSource(path: path, bytes: file.bytes, owner: file, mappedFile: file, wasCompressed: false)
        model = try FastTextModelFile(source: source, options: LoadOptions())
        guard !model.dictionary.labels.isEmpty else {
            throw source.error(.file, .unknownFormat, "a fastText model without labels cannot predict (it is unsupervised)")
        }
        let prefixLength = "__label__".utf8.count
        labels = model.dictionary.labels.map { String(decoding: $0.name.dropFirst(prefixLength), as: UTF8.self) }
        var builder = VocabularyBuilder(expectedCount: model.dictionary.wordCount)
        for word in model.dictionary.words { _ = word.withUnsafeBytes { builder.insert($0) } }
        words = builder.build()
        subwords = SubwordVectors(owner: file, matrix: model.input, wordCount: model.dictionary.wordCount,
                                  bucket: model.arguments.bucket, minn: model.arguments.minn, maxn: model.maxn,
                                  pruneIndex: model.dictionary.pruneIndex)
        // One output row per label (hierarchical softmax uses the first labels − 1 for its inner nodes).
        guard model.output.rows == labels.count, model.output.columns == model.arguments.dimensions else {
            throw source.error(.file, .badHeader, "the output matrix is \(model.output.rows) × \(model.output.columns) for \(labels.count) labels")
        }
        tree = model.arguments.loss == 1 ? HuffmanTree(counts: model.dictionary.labels.map(\.count)) : nil
    }

    /// The sentence vector of `line` as `fasttext print-sentence-vectors` computes it for a
    /// supervised model: the plain mean of the input rows of its words, their n-grams, the word
    /// n-grams and `</s>` (the hidden layer the prediction starts from).
    /// - Complexity: O(tokens × n-grams × dimensions).
    public func sentenceVector(_ line: String) -> [Float] {
        var hidden = [Float](repeating: 0, count: model.arguments.dimensions)
        let rows = inputRows(of: line)
        hidden.withUnsafeMutableBufferPointer { vector in
            for row in rows { model.input.addRow(row, to: vector) }
            if !rows.isEmpty { Kernels.scale(vector, by: 1 / Float(rows.count)) }
        }
        return hidden
    }

    /// The `k` most probable labels of `line` with probability at least `threshold`, best first.
    /// - Complexity: O((tokens × n-grams + labels) × dimensions).
    public func predict(_ line: String, k: Int = 1, threshold: Float = 0) -> [Prediction] {
        let hidden = sentenceVector(line)
        var best: [(score: Float, label: Int)] = []
        hidden.withUnsafeBufferPointer { hidden in
            if let tree {
                tree.search(k: k, threshold: threshold, output: model.output, hidden: hidden, into: &best)
            } else {
                var scores = (0..<labels.count).map { model.output.dotRow($0, hidden) }
                if model.arguments.loss == 3 {
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
        return best.map { Prediction(label: labels[$0.label], probability: Foundation.exp($0.score)) }
    }

    /// Whether fastText splits words at `byte`: space, tab, newline, vertical tab, form feed,
    /// carriage return or NUL.
    public static func isWordSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte) || byte == 0
    }

    /// fastText's one-vs-all and negative-sampling sigmoid: a 512-step table over [-8, 8]
    /// (0 below, 1 above), which predictions must reproduce to match it.
    static func tabulatedSigmoid(_ x: Float) -> Float {
        if x < -8 { return 0 }
        if x > 8 { return 1 }
        let step = Float(Int64((x + 8) * 512 / 8 / 2))
        let tableX = step * 2 * 8 / 512 - 8
        return Float(1 / (1 + Foundation.exp(-Double(tableX))))
    }

    /// fastText's `std_log`: log(p + 1e-5).
    static func logProbability(_ probability: Float) -> Float { Foundation.log(probability + 1e-5) }

    /// The input-matrix rows of a line: words (with n-grams), `</s>`, and word n-grams.
    private func inputRows(of line: String) -> [Int] {
        let endOfSentence = Array("</s>".utf8)
        var tokens = line.utf8.split(whereSeparator: Self.isWordSeparator).map(Array.init)
        tokens.append(endOfSentence)
        var rows: [Int] = [], hashes: [Int32] = []
        for token in tokens {
            let row = token.withUnsafeBytes { words.index(ofUTF8: $0) }
            if row == nil && token.starts(with: "__label__".utf8) { continue }
            if let row {
                rows.append(row)
                if model.maxn > 0 && token != endOfSentence { subwords.appendNgramRows(of: token, to: &rows) }
            } else if token != endOfSentence {
                subwords.appendNgramRows(of: token, to: &rows)
            }
            hashes.append(Int32(bitPattern: SubwordVectors.hash(token)))
        }
        let bucket = UInt64(model.arguments.bucket)
        guard bucket > 0, model.arguments.wordNgrams > 1 else { return rows }
        for start in hashes.indices {
            var hash = UInt64(bitPattern: Int64(hashes[start]))
            for next in (start + 1)..<min(hashes.count, start + model.arguments.wordNgrams) {
                hash = hash &* 116_049_371 &+ UInt64(bitPattern: Int64(hashes[next]))
                if let row = subwords.row(ofBucket: Int32(hash % bucket)) { rows.append(row) }
            }
        }
        return rows
    }
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
            count[parent] = count[smallest[0]] + count[smallest[1]]
        }
    }

    /// The `k` best leaves by summed log probability (fastText's depth-first search with pruning).
    func search(k: Int, threshold: Float, output: FastTextMatrix, hidden: UnsafeBufferPointer<Float>,
                into best: inout [(score: Float, label: Int)]) {
        guard leaves > 0 else { return }
        visit(2 * leaves - 2, score: 0, k: k, threshold: threshold, output: output, hidden: hidden, best: &best)
        best.sort { $0.score > $1.score || ($0.score == $1.score && $0.label < $1.label) }
    }

    private func visit(_ node: Int, score: Float, k: Int, threshold: Float, output: FastTextMatrix,
                       hidden: UnsafeBufferPointer<Float>, best: inout [(score: Float, label: Int)]) {
        if score < FastTextClassifier.logProbability(threshold) { return }
        if best.count == k, let worst = best.map(\.score).min(), score < worst { return }
        if left[node] == -1 && right[node] == -1 {
            best.append((score, node))
            if best.count > k, let worst = best.indices.min(by: { best[$0].score < best[$1].score }) { best.remove(at: worst) }
            return
        }
        let f = 1 / (1 + Foundation.exp(-output.dotRow(node - leaves, hidden)))
        visit(left[node], score: score + FastTextClassifier.logProbability(1 - f), k: k, threshold: threshold,
              output: output, hidden: hidden, best: &best)
        visit(right[node], score: score + FastTextClassifier.logProbability(f), k: k, threshold: threshold,
              output: output, hidden: hidden, best: &best)
    }
}

extension FastTextClassifier {
    /// Whether the file at `path` starts with fastText's magic number (793712314).
    public static func hasMagic(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path), let magic = try? handle.read(upToCount: 4), magic.count == 4 else {
            return false
        }
        try? handle.close()
        return magic.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } == 793_712_314
    }
}
