import EmbeddingStore
import Foundation
import LinearAlgebra
import Synchronization

/// Turns documents into fixed-length feature vectors by pooling their words' embeddings.
///
/// A document none of whose tokens has a vector yields the zero vector (never NaN); its
/// coverage is 0. Weights for `.tfidf` and `.sif` come from the corpus the featurizer is fitted
/// on (`fitted(on:)`); unseen words get the weight of a word seen once.
public struct DocumentFeaturizer: Sendable {
    /// The word vectors.
    public let embeddings: WordEmbeddings
    /// The tokenizer.
    public let tokenizer: any Tokenizer
    /// Pooling, weighting, normalisation and the unknown-word policy.
    public let settings: FeaturizerSettings
    /// Per-word weights fitted on a corpus (empty for `.none`).
    public let wordWeights: [String: Float]
    /// The weight of a word the fitted corpus never had.
    public let defaultWeight: Float
    /// `wordWeights` by embedding row, for lookups without strings (empty for `.none`).
    private let rowWeights: [Float]

    /// A featurizer with no fitted weights (`.none` weighting needs none).
    public init(embeddings: WordEmbeddings, tokenizer: any Tokenizer = UnicodeTokenizer(),
                settings: FeaturizerSettings = FeaturizerSettings()) {
        self.init(embeddings: embeddings, tokenizer: tokenizer, settings: settings, wordWeights: [:], defaultWeight: 1)
    }

    /// A featurizer with given weights (as restored from a saved model).
    public init(embeddings: WordEmbeddings, tokenizer: any Tokenizer, settings: FeaturizerSettings,
                wordWeights: [String: Float], defaultWeight: Float) {
        self.embeddings = embeddings
        self.tokenizer = tokenizer
        self.settings = settings
        self.wordWeights = wordWeights
        self.defaultWeight = defaultWeight
        guard settings.weighting != .none else {
            rowWeights = []
            return
        }
        var rows = [Float](repeating: defaultWeight, count: embeddings.count)
        for (word, weight) in wordWeights {
            if let row = embeddings.index(of: word) { rows[row] = weight }
        }
        rowWeights = rows
    }

    /// This featurizer with tf-idf or SIF weights computed from `texts` (a no-op for `.none`).
    /// - Complexity: O(total tokens).
    public func fitted(on texts: [String]) -> DocumentFeaturizer {
        switch settings.weighting {
        case .none:
            return self
        case .tfidf:
            var documentFrequency: [String: Int] = [:]
            for text in texts { for token in Set(tokenizer.tokens(in: text)) { documentFrequency[token, default: 0] += 1 } }
            let n = Float(texts.count)
            let weights = documentFrequency.mapValues { Foundation.log((1 + n) / (1 + Float($0))) + 1 }
            return with(weights: weights, defaultWeight: Foundation.log((1 + n) / 2) + 1)
        case .sif:
            var counts: [String: Int] = [:]
            var total = 0
            for text in texts {
                for token in tokenizer.tokens(in: text) {
                    counts[token, default: 0] += 1
                    total += 1
                }
            }
            let a: Float = 1e-3, totalTokens = Float(max(1, total))
            return with(weights: counts.mapValues { a / (a + Float($0) / totalTokens) },
                        defaultWeight: a / (a + 1 / totalTokens))
        }
    }

    /// The length of a feature vector.
    public var featureCount: Int { settings.pooling == .meanAndMax ? 2 * embeddings.dimensions : embeddings.dimensions }

    /// The features of `text` and the share of its tokens that had a vector.
    /// - Throws: `FeaturizerError.unknownWord` under the `.fail` policy.
    /// - Complexity: O(tokens × dimensions).
    public func features(for text: String) throws -> (features: [Float], coverage: Double) {
        var output = [Float](repeating: 0, count: featureCount)
        let coverage = try output.withUnsafeMutableBufferPointer { try features(for: text, into: $0) }
        return (output, coverage)
    }

    /// The features of every text, one row each, and the mean share of tokens that had a vector
    /// (1 for no texts). Texts are featurized on the threads of `parallelism`; the result does
    /// not depend on their number.
    /// - Throws: `FeaturizerError.unknownWord` under the `.fail` policy (for the first such text).
    /// - Complexity: O(total tokens × dimensions).
    public func featureMatrix(for texts: [String], parallelism: Parallelism = .available) throws
        -> (features: Matrix, coverage: Double) {
        guard !texts.isEmpty else { return (Matrix(rows: 0, columns: featureCount), 1) }
        var features = Matrix(rows: texts.count, columns: featureCount)
        var coverages = [Double](repeating: 0, count: texts.count)
        let width = featureCount, featurizer = self
        let firstFailure = Mutex<(text: Int, error: any Error)?>(nil)
        features.withUnsafeMutableBufferPointer { values in
            coverages.withUnsafeMutableBufferPointer { shares in
                let rows = SharedPointer(base: values.baseAddress!), coverage = SharedPointer(base: shares.baseAddress!)
                parallelism.forEachChunk(of: texts.count, minimumChunkSize: 512) { chunk in
                    for text in chunk {
                        do {
                            coverage.base[text] = try featurizer.features(
                                for: texts[text], into: UnsafeMutableBufferPointer(start: rows.base + text * width, count: width))
                        } catch {
                            firstFailure.withLock { if $0 == nil || text < $0!.text { $0 = (text, error) } }
                            return
                        }
                    }
                }
            }
        }
        if let failure = firstFailure.withLock({ $0 }) { throw failure.error }
        return (features, coverages.reduce(0, +) / Double(texts.count))
    }

    /// Writes the features of `text` into `output` (of `featureCount` floats) and returns the
    /// share of tokens that had a vector — from the vocabulary, or from n-grams under `.subwords`
    /// (1 for a document without tokens).
    public func features(for text: String, into output: UnsafeMutableBufferPointer<Float>) throws -> Double {
        precondition(output.count == featureCount, "features: output of \(output.count) for \(featureCount) features")
        let dimensions = embeddings.dimensions
        output.update(repeating: 0)
        var tokens = 0, known = 0
        var totalWeight: Float = 0
        var unknownWord: String?
        let mean = UnsafeMutableBufferPointer(rebasing: output[0..<dimensions])
        let maximum = settings.pooling == .meanAndMax ? UnsafeMutableBufferPointer(rebasing: output[dimensions...]) : mean
        let vocabulary = embeddings.vocabulary
        func pool(_ vector: UnsafeRawPointer, weight: Float) {
            if settings.pooling != .max {
                Kernels.axpy(weight, vector, mean)
                totalWeight += weight
            }
            if settings.pooling != .mean {
                for index in 0..<dimensions {
                    let value = vector.loadUnaligned(fromByteOffset: 4 * index, as: Float.self)
                    maximum[index] = known == 0 ? value : Swift.max(maximum[index], value)
                }
            }
            known += 1
        }
        tokenizer.forEachToken(in: text) { token in
            tokens += 1
            if let row = vocabulary.index(ofUTF8: token) {
                embeddings.withRow(at: row) { pool($0, weight: rowWeights.isEmpty ? 1 : rowWeights[row]) }
                return
            }
            switch settings.unknownWords {
            case .skip:
                break
            case .fail:
                if unknownWord == nil { unknownWord = String(decoding: token, as: UTF8.self) }
            case .subwords:
                guard embeddings.hasSubwords, let vector = embeddings.vector(for: String(decoding: token, as: UTF8.self)) else { break }
                vector.withUnsafeBytes { pool($0.baseAddress!, weight: rowWeights.isEmpty ? 1 : defaultWeight) }
            }
        }
        if let unknownWord { throw FeaturizerError.unknownWord(unknownWord) }
        if settings.pooling != .max && totalWeight > 0 { Kernels.scale(mean, by: 1 / totalWeight) }
        if settings.normalize { Kernels.normalize(output) }
        return tokens == 0 ? 1 : Double(known) / Double(tokens)
    }

    private func with(weights: [String: Float], defaultWeight: Float) -> DocumentFeaturizer {
        DocumentFeaturizer(embeddings: embeddings, tokenizer: tokenizer, settings: settings,
                           wordWeights: weights, defaultWeight: defaultWeight)
    }
}

/// Why a document could not be featurized.
public enum FeaturizerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A token has no vector and the policy is `.fail`.
    case unknownWord(String)

    /// A readable reason.
    public var description: String {
        switch self {
        case .unknownWord(let word): "no vector for the word '\(word)' (unknown words are set to fail)"
        }
    }
}
