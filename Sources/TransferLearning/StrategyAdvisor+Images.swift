import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

extension StrategyAdvisor {
    /// Below this many training images per class, image data counts as small.
    public static let smallImagesPerClass = 100

    /// Steps of the short whole-network fine-tune by which `auto` measures how different image
    /// data are from the pre-training data.
    public static let differenceProbeSteps = 100

    /// `auto` for images: the seed's guidance, measured. With fewer than `smallImagesPerClass`
    /// images per class, fixed features outright (too little to fine-tune or to hold out). With
    /// more, on 80% (or on everything when `validation` is given) and held out, how different the
    /// data are from the pre-training data is measured: a short fine-tune of every layer
    /// (`differenceProbeSteps` steps of the whole-network schedule) against the frozen features
    /// with logistic regression. When moving every layer for a moment already beats the frozen
    /// features, they do not describe this data, and the guidance for large, very different data
    /// applies: every layer fine-tunes, on its full schedule. Otherwise the data are similar, and
    /// fixed features, combine and fine-tuning the top two layers are compared held out; the best
    /// (the cheaper on a tie) trains on everything. The model's `advice` records why, with raw
    /// pixels (a thumbnail of at most 32 × 32) as the baseline transfer must beat.
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
            advice.pixelBaselineAccuracy = try Self.thumbnailAccuracy(training: fit, heldOut: held)
            // Trains on `fit` (for about `steps` steps when given) and records the held-out accuracy.
            func measure(_ name: String, _ strategy: TransferStrategy, steps: Int? = nil) throws -> Double {
                var schedule = Self.settings(settings, for: strategy, network: network, imageCount: fit.count)
                if let steps {
                    let stepsPerEpoch = ImageTrainingSettings.stepsPerEpoch(imageCount: fit.count, batchSize: schedule.schedule.batchSize)
                    schedule.schedule.epochs = max(1, (steps + stepsPerEpoch - 1) / stepsPerEpoch)
                }
                let model = try TransferModel.train(strategy, imageNetwork: network, on: fit, settings: schedule, seed: seed)
                advice.heldOutAccuracy[name] = try model.evaluate(on: held).accuracy
                return advice.heldOutAccuracy[name]!
            }
            var top = FineTuning(), all = FineTuning()
            top.backboneLayers = .top(2)
            all.backboneLayers = .all(baseRateFactor: 0.3)
            let frozen = try measure("fixed-features", .fixedFeatures)
            let moved = try measure("fine-tune all", .fineTune(all), steps: Self.differenceProbeSteps)
            advice.reason = "large data (\(perClass) ≥ \(Self.smallImagesPerClass) images per class), "
            if moved > frozen {
                chosen = .fineTune(all)
                advice.reason += "different from the pre-training data (\(Self.differenceProbeSteps) steps of fine-tuning every layer "
                    + "beat the frozen features held out): every layer fine-tunes"
            } else {
                let candidates: [(name: String, strategy: TransferStrategy)] = [
                    ("fixed-features", .fixedFeatures), ("combine", .combine(Combination())), ("fine-tune top", .fineTune(top)),
                ]
                for (name, strategy) in candidates.dropFirst() { _ = try measure(name, strategy) }
                let best = candidates.max { advice.heldOutAccuracy[$0.name]! < advice.heldOutAccuracy[$1.name]! }!
                chosen = best.strategy
                advice.reason += "similar to the pre-training data (the frozen features held their own against "
                    + "\(Self.differenceProbeSteps) steps of fine-tuning every layer): \(best.name) scored best held out"
            }
        }
        advice.chosen = chosen.kind
        let model = try TransferModel.train(chosen, imageNetwork: network, on: images, validation: validation,
                                            settings: Self.settings(settings, for: chosen, network: network, imageCount: images.count),
                                            seed: seed, progress: progress)
        var advised = TransferModel(strategy: model.strategy, labels: model.labels, body: model.body, advice: advice)
        advised.imageTraining = model.imageTraining
        return advised
    }

    /// The settings for training by `strategy` on `imageCount` images: `settings` (or the
    /// transfer defaults), with the whole-network schedule where `ImageTrainingSettings`
    /// prescribes it, keeping the threads and augmentation asked for.
    static func settings(_ settings: ImageTrainingSettings?, for strategy: TransferStrategy, network: ImageNetwork,
                         imageCount: Int) -> ImageTrainingSettings {
        guard var settings else { return .forTransfer(imageCount: imageCount, inputShape: network.inputShape, strategy: strategy) }
        guard ImageTrainingSettings.takesWholeNetworkSchedule(strategy, inputShape: network.inputShape) else { return settings }
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
        // 64 images at a time: the whole set as float32 maps would be a gigabyte at 224 × 224.
        func thumbnails(_ images: ImageSet) -> Matrix {
            var context = ForwardContext(mode: .inference, parallelism: .available, generator: SplitMix64(seed: 0))
            var elements: [Float] = []
            for start in stride(from: 0, to: images.count, by: 64) {
                let inputs = images.subset(start..<min(images.count, start + 64)).tensor(normalization: normalization)
                let pooled = factor == 1 ? inputs : pool.forward([inputs], context: &context)
                pooled.withUnsafeBufferPointer { elements.append(contentsOf: $0) }
            }
            return Matrix(rows: images.count, columns: elements.count / max(1, images.count), elements: elements)
        }
        let classifier = try LogisticRegression.train(on: try TrainingSet(features: thumbnails(training), labels: training.labels,
                                                                           classCount: training.classNames.count))
        let probabilities = classifier.probabilities(for: thumbnails(heldOut))
        let correct = (0..<heldOut.count).filter { row in probabilities.withRow(row) { Kernels.argmax($0) } == heldOut.labels[row] }.count
        return Double(correct) / Double(max(1, heldOut.count))
    }
}
