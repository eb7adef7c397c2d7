import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import Testing
import TransferLearning

/// Noisy 8 × 8 gray images of a horizontal, a vertical or a diagonal bar, at random positions.
func barImages(count: Int, classes: [String] = ["horizontal", "vertical", "diagonal"], seed: UInt64) -> ImageSet {
    var generator = SplitMix64(seed: seed)
    var pixels: [UInt8] = [], labels: [Int] = []
    for index in 0..<count {
        let label = index % classes.count
        var image = (0..<64).map { _ in UInt8(generator.next() % 60) }
        let offset = Int(generator.next() % 6) + 1
        for step in 0..<8 {
            let (row, column) = [(offset, step), (step, offset), (step, step)][label % 3]
            image[row * 8 + column] = 200 + UInt8(generator.next() % 55)
        }
        pixels += image
        labels.append(label)
    }
    return ImageSet(shape: MapShape(channels: 1, height: 8, width: 8), pixels: pixels, labels: labels, classNames: classes,
                    sources: (0..<count).map { "bar#\($0)" })
}

@Suite("Image strategies through TransferModel", .serialized)
struct ImageTransferTests {
    static let backbone: ImageNetwork = {
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 8
        settings.augmentation = .none
        return try! ImageNetwork.pretrain(on: barImages(count: 300, seed: 1), settings: settings, seed: 1).0
    }()

    @Test("a backbone pre-trained on bars recognises them as it is")
    func usePretrained() throws {
        let report = try TransferModel(imageNetwork: Self.backbone).evaluate(on: barImages(count: 90, seed: 2))
        #expect(report.accuracy > 0.9, "\(report.accuracy)")
    }

    @Test("every strategy learns a new task on the backbone; models survive a write and read",
          arguments: ["fixed-features", "fine-tune", "fine-tune-all", "combine", "scratch"])
    func strategies(name: String) throws {
        // The new task: the same bars under other names and another class order.
        let train = barImages(count: 120, classes: ["b", "c", "a"], seed: 3), test = barImages(count: 60, classes: ["b", "c", "a"], seed: 4)
        var fineAll = FineTuning()
        fineAll.backboneLayers = .all(baseRateFactor: 0.3)
        let strategy: TransferStrategy = switch name {
        case "fixed-features": .fixedFeatures
        case "fine-tune": .fineTune(FineTuning())
        case "fine-tune-all": .fineTune(fineAll)
        case "combine": .combine(Combination())
        default: .fromScratch
        }
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 15
        let model = try TransferModel.train(strategy, imageNetwork: Self.backbone, on: train, settings: settings, seed: 7)
        let report = try model.evaluate(on: test)
        #expect(report.accuracy > 0.8, "\(name): \(report.accuracy)")
        #expect(model.labels == ["b", "c", "a"] && model.imageInputShape == train.shape)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-image-model-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("model.ekm").path
        try model.write(to: path)
        let loaded = try TransferModel(contentsOf: path)
        #expect(try loaded.probabilities(for: test) == model.probabilities(for: test))
        #expect(loaded.strategy.kind == model.strategy.kind)
        #expect(throws: TransferError.self) { try loaded.predict("a text") }
    }

    @Test("fine-tuning the top layers leaves the frozen ones byte-identical")
    func topLayersOnly() throws {
        var fineTuning = FineTuning()
        fineTuning.backboneLayers = .top(1)
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 2
        let model = try TransferModel.train(.fineTune(fineTuning), imageNetwork: Self.backbone, on: barImages(count: 60, seed: 5),
                                            settings: settings, seed: 1)
        let tuned = try #require(model.imageNetwork).graph
        var compared = 0
        for parameter in Self.backbone.graph.parameters {
            guard let index = tuned.parameterIndex(named: parameter.name) else { continue }
            #expect(tuned.parameters[index].value == parameter.value, "\(parameter.name) changed")
            compared += 1
        }
        #expect(compared == Self.backbone.graph.parameters.count - 2, "every parameter but the replaced output layer's")
    }

    @Test("a network that classifies with a 1 × 1 convolution before its global pool (as SqueezeNet): features are what that convolution reads, and fine-tuning puts a new dense layer on them")
    func convolutionalClassifier() throws {
        // The bar backbone's convolutions, classified SqueezeNet's way: 1 × 1 convolution, ReLU, global pool.
        var generator = SplitMix64(seed: 3)
        let backbone = Self.backbone.graph
        guard case .node(let pool) = Self.backbone.featureValue else {
            Issue.record("the backbone's features should be its global pool")
            return
        }
        var builder = GraphBuilder(continuing: backbone, keepingNodes: pool)
        let maps = backbone.nodes[pool].inputs[0], channels = backbone.shape(of: maps)[1]
        let weights = Tensor(shape: [5, channels, 1, 1], elements: (0..<(5 * channels)).map { _ in Float(generator.next() % 2001) / 1000 - 1 })
        let classifier = builder.node(Convolution(geometry: WindowGeometry(kernel: 1)),
                                      [maps, builder.parameter("squeeze.weight", weights), builder.parameter("squeeze.bias", Tensor(zeros: [5]))])
        let pooled = builder.node(GlobalAveragePool(), [builder.node(Relu(), [classifier])])
        let output = builder.node(Flatten(axis: 1), [pooled])
        let network = try ImageNetwork(graph: try builder.graph(outputs: [output]), preprocessing: Self.backbone.preprocessing,
                                       classNames: ["p", "q", "r", "s", "t"])
        #expect(network.featureValue == maps && network.featureCount == channels)

        var fineTuning = FineTuning()
        fineTuning.backboneLayers = .all(baseRateFactor: 1)
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 15
        let train = barImages(count: 120, classes: ["b", "c", "a"], seed: 3), test = barImages(count: 60, classes: ["b", "c", "a"], seed: 4)
        let model = try TransferModel.train(.fineTune(fineTuning), imageNetwork: network, on: train, settings: settings, seed: 7)
        let tuned = try #require(model.imageNetwork).graph
        #expect(tuned.nodes.last?.operation is Gemm && tuned.shape(of: tuned.outputs[0]) == [1, 3])
        #expect(!tuned.parameters.contains { $0.name.hasPrefix("squeeze.") }, "the old classifier is gone")
        let accuracy = try model.evaluate(on: test).accuracy
        #expect(accuracy > 0.6, "\(accuracy)")
    }

    @Test("the same seed trains the same bytes")
    func reproducible() throws {
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 2
        let images = barImages(count: 60, seed: 6)
        let first = try TransferModel.train(.fineTune(FineTuning()), imageNetwork: Self.backbone, on: images, settings: settings, seed: 9)
        let second = try TransferModel.train(.fineTune(FineTuning()), imageNetwork: Self.backbone, on: images, settings: settings, seed: 9)
        #expect(try first.probabilities(for: images) == second.probabilities(for: images))
    }

    @Test("a file whose weights hold NaN or infinity (checksums right) is refused naming the tensor, not read into empty predictions")
    func nonFiniteWeightsAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-nan-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var graph = Self.backbone.graph
        let index = graph.parameters.firstIndex { $0.kind == .weight }!
        for bad in [Float.nan, .infinity] {
            var values = graph.parameters[index].value.scalars
            values[values.count / 2] = bad
            graph.setValue(Tensor(shape: graph.parameters[index].value.shape, elements: values), ofParameter: index)
            let path = folder.appendingPathComponent("bad.backbone").path
            try Self.backbone.replacing(graph: graph).writeBackbone(to: path, provenance: "unit test")
            #expect {
                _ = try ImageNetwork(backboneAt: path)
            } throws: { error in
                "\(error)".contains("NaN or infinite") && "\(error)".contains(graph.parameters[index].name) && "\(error)".contains(path)
            }
        }
    }

    @Test("a backbone file round-trips; a changed byte or an inconsistent header is an error naming the file")
    func backboneFiles() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-backbone-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("bars.backbone").path
        try Self.backbone.writeBackbone(to: path, provenance: "unit test")
        let loaded = try ImageNetwork(backboneAt: path)
        let images = barImages(count: 30, seed: 8)
        #expect(try loaded.features(of: images) == Self.backbone.features(of: images))
        #expect(try ImageNetwork.provenance(ofBackboneAt: path) == "unit test")
        #expect(loaded.classNames == Self.backbone.classNames && loaded.featureValue == Self.backbone.featureValue)

        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for offset in [bytes.count - 3, bytes.count / 2, 40] {
            var damaged = bytes
            damaged[offset] ^= 0x01
            let damagedPath = folder.appendingPathComponent("damaged.backbone").path
            try Data(damaged).write(to: URL(fileURLWithPath: damagedPath))
            do {
                _ = try ImageNetwork(backboneAt: damagedPath)
                Issue.record("a changed byte at \(offset) was accepted")
            } catch let error as ModelFileError {
                #expect(error.path == damagedPath)
            }
        }
        bytes = Array(bytes.prefix(bytes.count / 3))
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(throws: ModelFileError.self) { try ImageNetwork(backboneAt: path) }
    }

    @Test("images of another shape, and text strategies on images, are refused")
    func refusesMismatches() throws {
        let wide = ImageSet(shape: MapShape(channels: 1, height: 8, width: 12), pixels: [UInt8](repeating: 0, count: 2 * 96),
                            labels: [0, 1], classNames: ["a", "b"], sources: ["x", "y"])
        #expect(throws: TransferError.self) { try TransferModel.train(.fixedFeatures, imageNetwork: Self.backbone, on: wide) }
        #expect(throws: TransferError.self) { try TransferModel(imageNetwork: Self.backbone).probabilities(for: wide) }
        #expect(throws: TransferError.self) {
            try TransferModel.train(.usePretrained, imageNetwork: Self.backbone, on: barImages(count: 6, seed: 1))
        }
    }

    @Test("fine-tuning an ImageNet-sized network through its pre-trained layers takes the whole-network schedule; the rest keep 30 epochs or ~500 steps")
    func transferSchedules() {
        let shape = MapShape(channels: 3, height: 224, width: 224)
        var all = FineTuning(), top = FineTuning(), from = FineTuning()
        all.backboneLayers = .all(baseRateFactor: 0.3)
        top.backboneLayers = .top(2)
        from.backboneLayers = .from(layer: "x", baseRateFactor: 1)
        for strategy in [TransferStrategy.fineTune(all), .fineTune(from)] {
            let schedule = ImageTrainingSettings.forTransfer(imageCount: 1968, inputShape: shape, strategy: strategy).schedule
            #expect(schedule.optimizer.method == .adamW && schedule.optimizer.weightDecay == 0.01)
            #expect(schedule.schedule == .warmupCosine(warmup: 0.05) && schedule.batchSize == 32)
            #expect(schedule.epochs == 7)  // 62 steps an epoch: about 400 steps
        }
        // The small ConvNet's steps cost milliseconds: its whole-network fine-tune keeps the long constant schedule.
        let small = ImageTrainingSettings.forTransfer(imageCount: 250, inputShape: MapShape(channels: 1, height: 28, width: 28),
                                                      strategy: .fineTune(all)).schedule
        #expect(small.optimizer.method == .adam && small.schedule == .constant && small.batchSize == 64 && small.epochs == 125)
        #expect(ImageTrainingSettings.wholeNetworkFineTuning(imageCount: 100).epochs == 30)
        #expect(ImageTrainingSettings.wholeNetworkFineTuning(imageCount: 100_000).epochs == 5)
        for strategy in [TransferStrategy.fineTune(top), .combine(), .fixedFeatures] {
            let schedule = ImageTrainingSettings.forTransfer(imageCount: 1968, inputShape: shape, strategy: strategy).schedule
            #expect(schedule.optimizer.method == .adam && schedule.schedule == .constant && schedule.batchSize == 64)
            #expect(schedule.epochs == 30)  // 31 steps an epoch: 30 epochs are more than 500 steps
        }
    }
}
