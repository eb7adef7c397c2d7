import ArgumentParser
import Foundation
import NeuralNetworks
import Plots
import TextFeatures
import TransferLearning

extension TrainCommand {
    /// Refuses what `--encoder` cannot take (options of word vectors and of the bag strategies) and
    /// checks its own options; `validateSharedOptions` has checked the rest.
    func validateEncoderOptions() throws {
        let wordVectorOnly = [("--embeddings", embeddings != nil), ("--word-ngrams", wordNgrams != nil), ("--char-ngrams", charNgrams != nil),
                              ("--optimizer", optimizer != nil), ("--token-dropout", tokenDropout != nil), ("--threads", threads != 1),
                              ("--pooling", pooling != nil), ("--weighting", weighting != .none), ("--normalize", normalize),
                              ("--keep-case", keepCase), ("--self-contained", selfContained),
                              ("--plot", plot != nil)]
        if let (name, _) = wordVectorOnly.first(where: \.1) { throw ValidationError("\(name) does not apply to --encoder") }
        guard [.fixedFeatures, .fineTune, .combine].contains(strategy) else {
            throw ValidationError("--encoder trains fixed-features, fine-tune or combine (auto across representations is not built yet)")
        }
        if strategy != .fineTune, let name = [("--trainable", !trainable.isEmpty), ("--base-rate-factor", baseRateFactor != nil),
                                              ("--layer-rate-decay", layerRateDecay != nil)].first(where: \.1)?.0 {
            throw ValidationError("\(name) applies to --strategy fine-tune, not \(strategy.rawValue)")
        }
        _ = try encoderLayers()
        if let baseRateFactor, !(baseRateFactor > 0 && baseRateFactor <= 10) { throw ValidationError("--base-rate-factor takes (0, 10]") }
        if let layerRateDecay, !(layerRateDecay > 0 && layerRateDecay <= 1) { throw ValidationError("--layer-rate-decay takes a factor in (0, 1]") }
        if let maxLength, !(3...65_536).contains(maxLength) { throw ValidationError("--max-length takes 3 to 65,536 tokens") }
    }

    /// The transformer layers `--trainable` names (all by default).
    private func encoderLayers() throws -> BackboneLayers {
        guard let layers = trainableLayers(trainable.isEmpty ? ["all"] : trainable, baseRateFactor: baseRateFactor ?? FineTuning.encoderRateFactor) else {
            throw ValidationError("--trainable with --encoder takes `all`, `top N` (N ≥ 1) or `from LAYER`, not '\(trainable.joined(separator: " "))'")
        }
        return layers
    }

    /// `embkit train --encoder DIR`: the corpus read into memory, the strategy trained on the
    /// encoder, the model written and (with a test set) reported.
    func runOnEncoder(_ folder: String) throws {
        var encoder = try reportingFileErrors { try SentenceEncoder(folder: folder) }
        if let maxLength { encoder = encoder.truncating(to: maxLength) }
        let trainingPath = train ?? ShippedData.path(ShippedData.trainingCorpus)
        let (corpus, validation) = try corpusOptions.read(trainingPath).holdingOut(heldOutSelection, validation: try valid.map(corpusOptions.read))
        var transfer: TransferStrategy = .fixedFeatures
        if strategy == .fineTune {
            var fineTuning = FineTuning()
            fineTuning.encoderLayers = try encoderLayers()
            fineTuning.layerRateDecay = layerRateDecay
            transfer = .fineTune(fineTuning)
        } else if strategy == .combine {
            var combination = Combination()
            combination.hiddenLayers = hiddenSizes!
            transfer = .combine(combination)
        }
        var settings = TrainingSettings.forSentenceEncoder(transfer, documentCount: corpus.documents.count)
        settings.epochs = epochs ?? settings.epochs
        settings.learningRate = lr ?? settings.learningRate
        let line = ProgressLine("training")
        let steps = StepProgress(line)
        let start = Date()
        let model = try reportingTrainingErrors(data: trainingPath) {
            try TransferModel.train(transfer, sentenceEncoder: encoder, on: corpus, validation: validation, head: head, settings: settings,
                                    seed: seed, progress: strategy == .fixedFeatures ? epochProgress(line) : steps.epoch,
                                    stepProgress: strategy == .fixedFeatures ? nil : steps.step)
        }
        line.finish()
        try reportingTrainingErrors { try model.write(to: output) }
        let seconds = Date().timeIntervalSince(start), documents = model.trainingDocumentCount ?? corpus.documents.count
        if !fileOptions.progressOptions.quiet {
            StandardError.print("trained \(model.strategy.kind.rawValue) on \(documents) documents (\(model.labels.count) labels) "
                + "with the encoder \(folder) in \(String(format: "%.1f", seconds)) s; wrote \(output)")
        }
        try printResult(model, documents: documents, seconds: seconds, confusionPlot: nil)
    }
}
