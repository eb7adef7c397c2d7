import Foundation
import LinearAlgebra

/// A supervised fastText model file (`.bin` or quantized `.ftz`) read for prediction: its labels,
/// its loss, the hidden layer of a line and the output rows. Prediction itself (softmax,
/// one-vs-all sigmoids or the hierarchical softmax) is `TransferModel`'s, in TransferLearning.
///
/// A line's hidden layer is the mean of the input rows of its words (each with its character
/// n-grams when the model has them; unknown words by their n-grams), its word n-grams
/// (`h = h · 116049371 + hash`, up to `wordNgrams`) and the end-of-sentence token `</s>`.
public struct FastTextSupervisedModel: Sendable {
    /// How the model turns the hidden layer into label probabilities.
    public enum Loss: Sendable, Hashable {
        /// fastText's `-loss hs`: a Huffman tree over the label counts.
        case hierarchicalSoftmax
        /// `-loss ns`: one sigmoid per label at prediction time.
        case negativeSampling
        /// `-loss softmax`.
        case softmax
        /// `-loss ova`: one independent sigmoid per label.
        case oneVersusAll
    }

    /// The label names without the `__label__` prefix, by output row.
    public let labels: [String]
    /// How often each label occurred in training (decreasing, as the dictionary stores them).
    public let labelCounts: [Int64]
    /// The loss the model was trained with.
    public let loss: Loss
    /// The width of the hidden layer.
    public var dimensions: Int { model.arguments.dimensions }
    /// Whether the input matrix is product-quantized (a `.ftz` file).
    public var isQuantized: Bool {
        if case .quantized = model.input { true } else { false }
    }
    /// The rows of the input matrix (words and character n-gram buckets).
    public var inputRows: Int { model.input.rows }
    private let model: FastTextModelFile
    private let words: Vocabulary
    private let subwords: SubwordVectors
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
        labelCounts = model.dictionary.labels.map(\.count)
        switch model.arguments.loss {
        case 1: loss = .hierarchicalSoftmax
        case 2: loss = .negativeSampling
        case 3: loss = .softmax
        case 4: loss = .oneVersusAll
        default: throw source.error(.byte(model.arguments.lossOffset), .badHeader, "unknown fastText loss \(model.arguments.loss) (1–4 exist)")
        }
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

    /// The dot product of output row `row` with `hidden` (a label's score, or an inner node's
    /// under the hierarchical softmax).
    /// - Precondition: `row < labels.count` and `hidden.count == dimensions`.
    public func outputScore(row: Int, hidden: UnsafeBufferPointer<Float>) -> Float {
        precondition(row >= 0 && row < labels.count && hidden.count == dimensions, "outputScore: row \(row), \(hidden.count) dimensions")
        return model.output.dotRow(row, hidden)
    }

    /// Whether fastText splits words at `byte`: space, tab, newline, vertical tab, form feed,
    /// carriage return or NUL.
    public static func isWordSeparator(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte) || byte == 0
    }

    /// Whether the file at `path` starts with fastText's magic number (793712314).
    public static func hasMagic(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path), let magic = try? handle.read(upToCount: 4), magic.count == 4 else {
            return false
        }
        try? handle.close()
        return magic.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } == 793_712_314
    }

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
