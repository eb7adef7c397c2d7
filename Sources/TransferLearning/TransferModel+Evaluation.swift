import Classifiers
import TextFeatures

extension TransferModel {
    /// What `evaluate` measured.
    public struct Evaluation: Sendable {
        /// Accuracy, macro-F1, per-class figures, confusion, P@k and R@k.
        public let report: ClassificationReport
        /// The mean share of tokens that had a vector.
        public let coverage: Double
        /// Malformed lines the corpus reader skipped (under `BadLinePolicy.skip`).
        public let skippedLines: Int
        /// Documents left out because a label of theirs is not one of the model's (under `.skip`).
        public let skippedUnknownLabels: Int
    }

    /// Scores the model on a labelled corpus as it is read, in batches of 1,000 documents, so
    /// memory does not grow with the corpus.
    /// - Parameters:
    ///   - corpus: the reader of the labelled corpus.
    ///   - k: the k of P@k and R@k.
    /// - Throws: `TransferError.unknownLabel` for a label the model does not know (unless the
    ///   reader skips bad lines), `EmbeddingFileError` from the reader, `FeaturizerError`, and
    ///   `TransferError.emptyCorpus` when no document is left to score.
    public func evaluate(reading corpus: CorpusReader, k: Int = 1) throws -> Evaluation {
        precondition(k >= 1, "evaluate: k must be at least 1")
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var tally = ClassificationTally(classCount: labels.count, k: k)
        var batch: [String] = [], gold: [[Int]] = []
        var coverageSum = 0.0, unknownLabels = 0
        func scoreBatch() throws {
            let (predicted, coverage) = try predictionsAndCoverage(for: batch, k: k)
            for (predictions, classes) in zip(predicted, gold) {
                tally.add(predicted: predictions.compactMap { index[$0.label] }, gold: classes)
            }
            coverageSum += coverage * Double(batch.count)
            batch.removeAll(keepingCapacity: true)
            gold.removeAll(keepingCapacity: true)
        }
        let skipped = try corpus.forEachDocument { document in
            let classes = document.labels.compactMap { index[$0] }
            guard classes.count == document.labels.count else {
                guard corpus.badLines == .skip else {
                    throw TransferError.unknownLabel(document.labels.first { index[$0] == nil }!, line: document.line)
                }
                unknownLabels += 1
                return
            }
            gold.append(classes)
            batch.append(document.text)
            if batch.count == 1000 { try scoreBatch() }
        }
        if !batch.isEmpty { try scoreBatch() }
        guard tally.examples > 0 else { throw TransferError.emptyCorpus }
        return Evaluation(report: ClassificationReport(tally), coverage: coverageSum / Double(tally.examples),
                          skippedLines: skipped, skippedUnknownLabels: unknownLabels)
    }

    /// Scores the model on documents in memory (see `evaluate(reading:k:)`).
    public func evaluate(on corpus: LabeledCorpus, k: Int = 1) throws -> ClassificationReport {
        let index = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var tally = ClassificationTally(classCount: labels.count, k: k)
        let (predicted, _) = try predictionsAndCoverage(for: corpus.documents.map(\.text), k: k)
        for (predictions, document) in zip(predicted, corpus.documents) {
            let classes = try document.labels.map { label in
                guard let found = index[label] else { throw TransferError.unknownLabel(label, line: document.line) }
                return found
            }
            tally.add(predicted: predictions.compactMap { index[$0.label] }, gold: classes)
        }
        guard tally.examples > 0 else { throw TransferError.emptyCorpus }
        return ClassificationReport(tally)
    }
}
