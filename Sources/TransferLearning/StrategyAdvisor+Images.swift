import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

extension StrategyAdvisor {
    /// Below this many training images per class, image data counts as small.
    public static let smallImagesPerClass = 100

    /// `auto` for images: the seed's guidance, measured. With fewer than `smallImagesPerClass`
    /// images per class, fixed features outright (too little to fine-tune or to hold out). With
    /// more, similarity to the pre-training data is measured — do the frozen features beat raw
    /// pixels (a thumbnail of at most 32 × 32) with logistic regression on held-out images? — and
    /// the candidates the rule allows are trained on 80% (or on everything when `validation` is
    /// given) and compared held out: fixed features, combine and fine-tuning the top two layers,
    /// plus fine-tuning every layer when the data differ (the guidance for large, different data;
    /// on an ImageNet network the slowest candidate by far, trained on the schedule of
    /// `ImageTrainingSettings.wholeNetworkFineTuning(imageCount:)` with the threads and
    /// augmentation of `settings`). The best is trained on everything; the model's `advice`
    /// records why.
    /// - Throws: what training throws.
    public func train(imageNetwork network: ImageNetwork, on images: ImageSet, validation: ImageSet? = nil,
                      settings: ImageTrainingSettings? = nil, progress: TrainingProgress? = nil) throws -> TransferModel {
        let perClass = images.count / max(1, images.classNames.count)
        var advice = StrategyAdvice(chosen: .fixedFeatures, trainingDocuments: images.count, tokenCoverage: 1, inputKind: .images,
                                    heldOutAccuracy: [:], reason: "")
        var chosen = TransferStrategy.fixedFeatures
        if perClass < Self.smallImagesPerClass {
            advice.reason = "small data (\(perClass) < \(Self.smallImagesPerClass) images per class): fixed features"
        } else {
            let (fit, held) = validation.map { (images, $0) } ?? images.split(holdingOut: 0.2, seed: seed)
            let fixed = try TransferModel.train(.fixedFeatures, imageNetwork: network, on: fit, settings: settings, seed: seed)
            let fixedAccuracy = try fixed.evaluate(on: held).accuracy
            let pixelAccuracy = try Self.thumbnailAccuracy(training: fit, heldOut: held)
            advice.pixelBaselineAccuracy = pixelAccuracy
            advice.heldOutAccuracy["fixed-features"] = fixedAccuracy
            let similar = fixedAccuracy >= pixelAccuracy
            var top = FineTuning(), all = FineTuning()
            top.backboneLayers = .top(2)
            all.backboneLayers = .all(baseRateFactor: 0.3)
            var candidates: [(name: String, strategy: TransferStrategy)] = [("combine", .combine(Combination())), ("fine-tune top", .fineTune(top))]
            if !similar { candidates.append(("fine-tune all", .fineTune(all))) }
            for candidate in candidates {
                let model = try TransferModel.train(candidate.strategy, imageNetwork: network, on: fit,
                                                    settings: Self.settings(settings, for: candidate.strategy, imageCount: fit.count), seed: seed)
                advice.heldOutAccuracy[candidate.name] = try model.evaluate(on: held).accuracy
            }
            let ranked = [("fixed-features", TransferStrategy.fixedFeatures)] + candidates
            let best = ranked.max { advice.heldOutAccuracy[$0.0]! < advice.heldOutAccuracy[$1.0]! }!
            chosen = best.1
            advice.reason = "large data (\(perClass) ≥ \(Self.smallImagesPerClass) images per class), "
                + (similar ? "similar to the pre-training data (frozen features beat raw pixels held out): "
                           : "different from the pre-training data (raw pixels beat the frozen features held out): ")
                + "\(best.0) scored best held out"
        }
        advice.chosen = chosen.kind
        let model = try TransferModel.train(chosen, imageNetwork: network, on: images, validation: validation,
                                            settings: Self.settings(settings, for: chosen, imageCount: images.count), seed: seed, progress: progress)
        return TransferModel(strategy: model.strategy, labels: model.labels, body: model.body, advice: advice)
    }

    /// `settings` for training by `strategy`: a fine-tune through pre-trained layers below the top
    /// takes the whole-network schedule, keeping the threads and augmentation asked for.
    static func settings(_ settings: ImageTrainingSettings?, for strategy: TransferStrategy, imageCount: Int) -> ImageTrainingSettings? {
        guard var settings, strategy.trainsPretrainedLayers else { return settings }
        let threads = settings.schedule.threadCount
        settings.schedule = ImageTrainingSettings.wholeNetworkFineTuning(imageCount: imageCount)
        settings.schedule.threadCount = threads
        return settings
    }

    /// Held-out accuracy of logistic regression on raw pixels, each image average-pooled to at most 32 × 32.
    static func thumbnailAccuracy(training: ImageSet, heldOut: ImageSet) throws -> Double {
        let factor = max(1, (max(training.shape.height, training.shape.width) + 31) / 32)
        let pool = AveragePool(geometry: WindowGeometry(kernel: factor, stride: factor))
        let normalization = PixelNormalization(measuring: training)
        func thumbnails(_ images: ImageSet) -> Matrix {
            let inputs = images.tensor(normalization: normalization)
            var context = ForwardContext(mode: .inference, parallelism: .available, generator: SplitMix64(seed: 0))
            let pooled = factor == 1 ? inputs : pool.forward([inputs], context: &context)
            return pooled.reshaped([images.count, pooled.count / max(1, images.count)]).matrix
        }
        let classifier = try LogisticRegression.train(on: try TrainingSet(features: thumbnails(training), labels: training.labels,
                                                                           classCount: training.classNames.count))
        let probabilities = classifier.probabilities(for: thumbnails(heldOut))
        let correct = (0..<heldOut.count).filter { row in probabilities.withRow(row) { Kernels.argmax($0) } == heldOut.labels[row] }.count
        return Double(correct) / Double(max(1, heldOut.count))
    }
}
