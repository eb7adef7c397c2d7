import Classifiers
import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import TransferLearning

/// `embkit-bench image`: strategy × labelled images per class → test accuracy (each seed and
/// their mean) and training time, on a target task the backbone was not trained on (by default
/// Fashion-MNIST classes 5–9 with the shipped 0–4 backbone), beside logistic regression on raw
/// pixels and the same network from scratch. Then training and inference throughput of the
/// small ConvNet beside PyTorch's (`compare_torch_convnet.py`, same network, batch size and
/// threads), and the share of the measured matrix-product peak the forward pass reaches.
///
/// Options: `--backbone PATH` (a backbone file, or an ImageNet model: ONNX or imported), `--train PATH`,
/// `--test PATH` (image folders or IDX files, fitted to the backbone's input), `--test-per-class N`,
/// `--sizes 50,200,1000`, `--seeds 1,2`, `--strategies LIST` (pixels, scratch, fixed, fixed-mlp,
/// fine-tune (the default), fine-tune-topN, fine-tune-allF (all layers, base rate factor F),
/// combine), `--threads N` (every core), `--throughput-only`, `--skip-throughput`,
/// `--torch PYTHON` (`/usr/bin/python3`; `none` to skip).
enum ImageBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let threads = options.integer("--threads", default: Parallelism.available.threadCount)
        let backbone = try ImageNetwork(contentsOf: options.string("--backbone", default: "Embeddings/fashion-mnist-0-4.backbone"))
        let trainPath = options.string("--train", default: "Corpora/fashion-mnist-5-9/train-images-idx3-ubyte.gz")
        // Images at their own size (raw pixels read them so); each sample is fitted to the backbone when drawn.
        let train = try ImageSet.read(trainPath).images
        var test = try ImageSet.read(options.string("--test", default: "Corpora/fashion-mnist-5-9/t10k-images-idx3-ubyte.gz")).images
        if let perClass = Int(options.string("--test-per-class", default: "")) { test = test.sample(perClass: perClass, seed: 1) }
        report(Measurement.machineDescription())
        if !options.flag("--throughput-only") {
            let sizes = options.string("--sizes", default: "50,200,1000").split(separator: ",").compactMap { Int($0) }
            let seeds = options.string("--seeds", default: "1,2").split(separator: ",").compactMap { UInt64($0) }
            let strategies = options.string("--strategies", default: "pixels,scratch,fixed,fixed-mlp,fine-tune,fine-tune-top2,combine")
                .split(separator: ",").map(String.init)
            report("target \(trainPath): \(train.count) training, \(test.count) test images, classes \(train.classNames.joined(separator: ", ")); "
                + "\(threads) thread(s); seeds \(seeds.map(String.init).joined(separator: ","))")
            accuracyTable(backbone: backbone, train: train, test: test, sizes: sizes, seeds: seeds, strategies: strategies, threads: threads)
        }
        if !options.flag("--skip-throughput") {
            guard max(backbone.inputShape.height, backbone.inputShape.width) <= 64 else { return }
            try throughput(images: train, imagesPath: trainPath, threads: threads, python: options.string("--torch", default: "/usr/bin/python3"))
        }
    }

    private static func accuracyTable(backbone: ImageNetwork, train: ImageSet, test: ImageSet, sizes: [Int], seeds: [UInt64],
                                      strategies: [String], threads: Int) {
        let fittedTest = test.fitted(to: backbone.inputShape, shorterSide: backbone.preprocessing.shorterSide)
        report("\n| strategy | " + sizes.map { "\($0)/class accuracy (seeds) | s" }.joined(separator: " | ") + " |")
        report("|---|" + sizes.map { _ in "---|---" }.joined(separator: "|") + "|")
        for name in strategies {
            var cells: [String] = []
            for size in sizes {
                var accuracies: [Double] = [], seconds: [Double] = []
                for seed in seeds {
                    let sample = train.sample(perClass: size, seed: seed)
                    let start = Date()
                    do {
                        accuracies.append(try accuracy(name, backbone: backbone, train: sample, test: test, fittedTest: fittedTest, seed: seed,
                                                       threads: threads))
                    } catch {
                        report("\(name) at \(size)/class, seed \(seed): \(error)")
                        accuracies.append(.nan)
                    }
                    seconds.append(Date().timeIntervalSince(start))
                }
                let mean = accuracies.reduce(0, +) / Double(accuracies.count)
                cells.append("\(format(mean, 4)) (\(accuracies.map { format($0, 4) }.joined(separator: ", "))) | \(format(seconds.reduce(0, +) / Double(seconds.count), 1))")
            }
            report("| \(name) | " + cells.joined(separator: " | ") + " |")
        }
    }

    /// The test accuracy of one strategy trained on `train`.
    private static func accuracy(_ name: String, backbone: ImageNetwork, train: ImageSet, test: ImageSet, fittedTest: ImageSet,
                                 seed: UInt64, threads: Int) throws -> Double {
        let strategy: TransferStrategy
        var head = ClassifierHead.logisticRegression()
        switch name {
        case "pixels":
            let normalization = PixelNormalization(measuring: train)
            func pixels(_ images: ImageSet) -> Matrix { images.tensor(normalization: normalization).reshaped([images.count, images.shape.count]).matrix }
            let model = try LogisticRegression.train(on: try TrainingSet(features: pixels(train), labels: train.labels,
                                                                         classCount: train.classNames.count))
            let predicted = model.probabilities(for: pixels(test))
            return (0..<test.count).filter { row in predicted.withRow(row) { Kernels.argmax($0) } == test.labels[row] }.count.asShare(of: test.count)
        case "scratch": strategy = .fromScratch
        case "fixed": strategy = .fixedFeatures
        case "fixed-mlp":
            strategy = .fixedFeatures
            head = .multilayerPerceptron()
        case "fine-tune": strategy = .fineTune(FineTuning())
        case _ where name.hasPrefix("fine-tune-top"):
            guard let count = Int(name.dropFirst("fine-tune-top".count)), count > 0 else { throw BenchmarkError("bad strategy '\(name)'") }
            var fineTuning = FineTuning()
            fineTuning.backboneLayers = .top(count)
            strategy = .fineTune(fineTuning)
        case _ where name.hasPrefix("fine-tune-all"):
            guard let factor = Float(name.dropFirst("fine-tune-all".count)), factor >= 0 else { throw BenchmarkError("bad strategy '\(name)'") }
            var fineTuning = FineTuning()
            fineTuning.backboneLayers = .all(baseRateFactor: factor)
            strategy = .fineTune(fineTuning)
        case "combine": strategy = .combine(Combination())
        default: throw BenchmarkError("unknown strategy '\(name)'")
        }
        var settings = ImageTrainingSettings.forTransfer(imageCount: train.count, inputShape: backbone.inputShape, strategy: strategy)
        settings.schedule.threadCount = threads
        let fitted = train.fitted(to: backbone.inputShape, shorterSide: backbone.preprocessing.shorterSide)
        let model = try TransferModel.train(strategy, imageNetwork: backbone, on: fitted, head: head, settings: settings, seed: seed)
        return try model.evaluate(on: fittedTest).accuracy
    }

    /// Training and inference images per second of the small ConvNet, ours and PyTorch's.
    private static func throughput(images: ImageSet, imagesPath: String, threads: Int, python: String) throws {
        let count = min(images.count, 5000)
        let subset = images.subset(0..<count)
        let network = try ImageNetwork.smallConvNet(inputShape: subset.shape, classNames: subset.classNames,
                                                    normalization: PixelNormalization(measuring: subset), seed: 1)
        var graph = network.graph
        let normalization = network.preprocessing.normalization
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 1
        settings.schedule.threadCount = threads
        settings.augmentation = .none
        let parallelism = Parallelism(threadCount: threads)
        var trainTimes: [Double] = []
        for repetition in 0..<4 {  // the first is a warm-up
            let start = Date()
            try graph.train(on: ImageBatches(subset, normalization: normalization), settings: settings.schedule, seed: UInt64(repetition))
            if repetition > 0 { trainTimes.append(Date().timeIntervalSince(start)) }
        }
        let trainSeconds = trainTimes.sorted()[1]
        let inferSeconds = Measurement.medianSeconds(repetitions: 3) { _ = try? network.probabilities(of: subset, parallelism: parallelism) }
        let ours = (train: Double(count) / trainSeconds, infer: Double(count) / inferSeconds)
        let peak = matrixProductPeak(parallelism: parallelism)
        let forwardFlops = network.graph.multiplyAdds * 2
        report("\nsmall ConvNet on \(count) images of \(imagesPath), batch 64, \(threads) thread(s), no augmentation (medians of 3)")
        report("| | training images/s | inference images/s |")
        report("|---|---|---|")
        report("| EmbeddingKit | \(format(ours.train, 0)) | \(format(ours.infer, 0)) |")
        if python != "none" {
            let labels = ImageSet.labelsPath(forIDXImages: imagesPath)
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("compare_torch_convnet.py").path
            let measured = try ProcessMeasurement.run([python, script, imagesPath, labels, "--count", "\(count)", "--threads", "\(threads)"])
            let torch = try JSONSerialization.jsonObject(with: Data(measured.output.utf8)) as? [String: Any] ?? [:]
            let torchTrain = torch["train_images_per_second"] as? Double ?? .nan, torchInfer = torch["inference_images_per_second"] as? Double ?? .nan
            report("| PyTorch \(torch["torch"] as? String ?? "?") | \(format(torchTrain, 0)) | \(format(torchInfer, 0)) |")
            report("| ratio | \(format(ours.train / torchTrain, 2))× | \(format(ours.infer / torchInfer, 2))× |")
            report("peak RSS: PyTorch (its whole process) \(format(Double(measured.peakRSSBytes) / 1_048_576, 0)) MiB")
        }
        report("inference: \(format(Double(forwardFlops) * ours.infer / 1e9, 1)) GFLOP/s = "
            + "\(format(100 * Double(forwardFlops) * ours.infer / 1e9 / peak, 0))% of the matrix product's \(format(peak, 1)) GFLOP/s (512³, same threads)")
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report("peak RSS: EmbeddingKit (this whole benchmark process) \(format(Double(usage.ru_maxrss) / 1024, 0)) MiB")
    }

    /// GFLOP/s of a 512 × 512 × 512 matrix product (median of 5).
    private static func matrixProductPeak(parallelism: Parallelism) -> Double {
        var generator = SplitMix64(seed: 3)
        let a = Matrix(rows: 512, columns: 512, initializer: .normal(standardDeviation: 1), using: &generator)
        let b = Matrix(rows: 512, columns: 512, initializer: .normal(standardDeviation: 1), using: &generator)
        let seconds = Measurement.medianSeconds(repetitions: 5) { _ = Matrix.product(a, b, parallelism: parallelism) }
        return 2 * 512 * 512 * 512 / seconds / 1e9
    }
}

extension Int {
    func asShare(of total: Int) -> Double { Double(self) / Double(Swift.max(1, total)) }
}
