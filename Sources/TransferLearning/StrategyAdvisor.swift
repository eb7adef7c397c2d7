import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// The `auto` strategy: the seed's guidance made executable, and measured rather than guessed.
///
/// Small data similar to the pre-training data → fixed features; large data → fine-tune, only the
/// top when the data is similar, everything when it differs. Here "small" is fewer than
/// `smallCorpus` training documents: too few to fine-tune or to compare candidates on held-out
/// data, so fixed features are chosen outright. With more, the candidates the rule allows —
/// fixed features, and fine-tuning the head only (when at least `similarCoverage` of the training
/// tokens have a pre-trained vector) or everything — are trained on 80% of the corpus (or the
/// whole corpus when validation data is given) and compared on the held-out part; the best is
/// trained on the whole corpus and the evidence recorded in the model.
public struct StrategyAdvisor: Sendable {
    /// Below this many training documents the data counts as small.
    public var smallCorpus = 500
    /// The token coverage from which the data counts as similar to the pre-training data.
    public var similarCoverage = 0.8
    /// The seed of the held-out split and of every candidate.
    public var seed: UInt64

    /// An advisor with the default thresholds.
    public init(seed: UInt64 = 1) {
        self.seed = seed
    }

    /// Chooses a strategy for `corpus`, trains it on the whole corpus and returns the model, whose
    /// `advice` holds the choice and the measurements.
    /// - Throws: what training throws.
    public func train(featurizer: DocumentFeaturizer, on corpus: LabeledCorpus, validation: LabeledCorpus? = nil,
                      strategies: StrategySettings = StrategySettings(), progress: TrainingProgress? = nil) throws -> TransferModel {
        let coverage = try featurizer.featureMatrix(for: corpus.documents.map(\.text)).coverage
        let similar = coverage >= similarCoverage
        var advice = StrategyAdvice(chosen: .fixedFeatures, trainingDocuments: corpus.documents.count, tokenCoverage: coverage,
                                    heldOutAccuracy: [:], reason: "")
        var chosen = TransferStrategy.fixedFeatures
        if corpus.documents.count < smallCorpus || corpus.documents.contains(where: { $0.labels.count != 1 }) {
            advice.reason = corpus.documents.count < smallCorpus
                ? "small data (fewer than \(smallCorpus) documents): fixed features"
                : "multi-label data: fixed features (one-vs-all logistic regressions)"
        } else {
            var candidates: [(name: String, strategy: TransferStrategy)] = [("fixed-features", .fixedFeatures)]
            var top = strategies.fineTuning, all = strategies.fineTuning
            top.trainable = .headOnly
            all.trainable = .embeddingsAndHead
            if similar { candidates.append(("fine-tune top", .fineTune(top))) }
            candidates.append(("fine-tune all", .fineTune(all)))
            var generator = SplitMix64(seed: seed)
            let (fit, held) = validation.map { (corpus, $0) } ?? corpus.split(holdingOut: 0.2, using: &generator)
            for candidate in candidates {
                let model = try TransferModel.train(candidate.strategy, featurizer: featurizer, head: strategies.fixedFeaturesHead,
                                                    on: fit, seed: seed)
                advice.heldOutAccuracy[candidate.name] = try model.evaluate(on: held).accuracy
            }
            let best = candidates.max { advice.heldOutAccuracy[$0.name]! < advice.heldOutAccuracy[$1.name]! }!
            chosen = best.strategy
            advice.reason = "large data (\(corpus.documents.count) ≥ \(smallCorpus) documents), "
                + (similar ? "similar to the pre-training data (coverage ≥ \(Int(100 * similarCoverage))%): "
                           : "different from the pre-training data (coverage < \(Int(100 * similarCoverage))%): ")
                + "\(best.name) scored best held out"
        }
        advice.chosen = chosen.kind
        let model = try TransferModel.train(chosen, featurizer: featurizer, head: strategies.fixedFeaturesHead, on: corpus,
                                            validation: validation, seed: seed, progress: progress)
        var advised = TransferModel(strategy: model.strategy, labels: model.labels, body: model.body, advice: advice,
                                    trainingCoverage: model.trainingCoverage)
        advised.trainingDocumentCount = model.trainingDocumentCount
        return advised
    }
}
