import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import Testing
import TransferLearning

@Suite("Image strategies on a graph network (as ONNX models import)", .serialized)
struct GraphTransferTests {
    /// The conv blocks of the small ConvNet pre-trained on bars, then a residual addition, a 1 × 1
    /// convolution with batch normalisation and ReLU6, a global average pool, a flatten and a
    /// classifier: a graph like MobileNetV2's end.
    static let network: ImageNetwork = {
        var generator = SplitMix64(seed: 5)
        let pretrained = ImageTransferTests.backbone
        var builder = GraphBuilder(continuing: pretrained.graph, keepingNodes: 8)
        let blocks = Graph.Value.node(7)
        let residual = builder.node(Add(), [blocks, blocks], name: "residual")
        let filters = Tensor(Matrix(rows: 32, columns: 64, initializer: .heNormal, using: &generator)).reshaped([32, 64, 1, 1])
        var value = builder.node(Convolution(geometry: WindowGeometry(kernel: 1)), [residual, builder.parameter("expand.weight", filters)], name: "expand")
        let normalization = [("weight", Tensor(repeating: 1, shape: [32]), Graph.Parameter.Kind.weight), ("bias", Tensor(zeros: [32]), .weight),
                             ("running_mean", Tensor(zeros: [32]), .statistic), ("running_var", Tensor(repeating: 1, shape: [32]), .statistic)]
            .map { builder.parameter("expand.bn.\($0.0)", $0.1, kind: $0.2) }
        value = builder.node(BatchNormalization(), [value] + normalization, name: "expand.bn")
        value = builder.node(Clip(lower: 0, upper: 6), [value], name: "expand.relu6")
        let pooled = builder.node(GlobalAveragePool(), [value], name: "pool")
        value = builder.node(Flatten(), [pooled], name: "flatten")
        value = builder.dense(value, inputs: 32, outputs: 3, initializer: .glorotUniform, name: "classifier", using: &generator)
        return try! ImageNetwork(graph: try! builder.graph(outputs: [value]), preprocessing: pretrained.preprocessing, classNames: ["x", "y", "z"])
    }()

    static var settings: ImageTrainingSettings {
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 40
        settings.augmentation = .none
        return settings
    }

    @Test("fixed features, top-2, from-a-layer and all-layer fine-tuning, LP-FT and combine learn a new task; models survive a write and read",
          arguments: ["fixed-features", "fine-tune", "fine-tune-from", "fine-tune-all", "lp-ft", "combine"])
    func strategies(name: String) throws {
        let train = barImages(count: 150, classes: ["b", "c", "a"], seed: 3), test = barImages(count: 60, classes: ["b", "c", "a"], seed: 4)
        var fineTuning = FineTuning()
        switch name {
        case "fine-tune-from": fineTuning.backboneLayers = .from(layer: "residual", baseRateFactor: 0.3)
        case "fine-tune-all": fineTuning.backboneLayers = .all(baseRateFactor: 0.3)
        case "lp-ft":
            fineTuning.backboneLayers = .all(baseRateFactor: 0.1)
            fineTuning.linearProbeEpochs = 5
            fineTuning.batchNormalization = .frozen
        default: break
        }
        let strategy: TransferStrategy = switch name {
        case "fixed-features": .fixedFeatures
        case "combine": .combine(Combination())
        default: .fineTune(fineTuning)
        }
        let model = try TransferModel.train(strategy, imageNetwork: Self.network, on: train, settings: Self.settings, seed: 7)
        let report = try model.evaluate(on: test)
        #expect(report.accuracy > 0.8, "\(name): \(report.accuracy)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(name)-\(UUID().uuidString).ekm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.write(to: path)
        let read = try TransferModel(contentsOf: path)
        #expect(try read.probabilities(for: test) == model.probabilities(for: test))
        #expect(read.labels == ["b", "c", "a"] && read.strategy == strategy)
    }

    @Test("a network pooled before its classifier takes another input size; one that flattens maps refuses it by name")
    func resizedInput() throws {
        let resized = try Self.network.resized(height: 16, width: 16)
        #expect(resized.inputShape == MapShape(channels: 1, height: 16, width: 16))
        var generator = SplitMix64(seed: 2)
        let pixels = (0..<(4 * 256)).map { _ in UInt8(generator.next() % 256) }
        let images = ImageSet(shape: resized.inputShape, pixels: pixels, labels: [0, 1, 2, 0], classNames: ["x", "y", "z"],
                              sources: ["a", "b", "c", "d"])
        let probabilities = try resized.outputs([resized.graph.outputs[0]], of: images)[0]
        #expect(probabilities.shape == [4, 3])
        #expect(throws: GraphError.self) { try ImageTransferTests.backbone.resized(height: 16, width: 16) }
    }

    @Test("fine-tuning from a layer changes only the parameters from it on; every layer changes with all")
    func trainableLayers() throws {
        let images = barImages(count: 60, classes: ["b", "c", "a"], seed: 5)
        var settings = Self.settings
        settings.schedule.epochs = 2
        func changed(_ layers: BackboneLayers) throws -> Set<String> {
            var fineTuning = FineTuning()
            fineTuning.backboneLayers = layers
            let tuned = try #require(try TransferModel.train(.fineTune(fineTuning), imageNetwork: Self.network, on: images, settings: settings,
                                                             seed: 1).imageNetwork).graph
            // The output layer is replaced by a new one of the same name: compare the others.
            return Set(Self.network.graph.parameters.filter { !$0.name.hasPrefix("classifier.") }.compactMap { parameter in
                tuned.parameterIndex(named: parameter.name).flatMap { tuned.parameters[$0].value == parameter.value ? nil : parameter.name }
            })
        }
        #expect(try changed(.from(layer: "expand", baseRateFactor: 1)) == ["expand.weight", "expand.bn.weight", "expand.bn.bias",
                                                                           "expand.bn.running_mean", "expand.bn.running_var"])
        #expect(try changed(.top(1)).isEmpty, "only the new output layer trains")
        #expect(try changed(.all(baseRateFactor: 0.3)).isSuperset(of: ["block1.conv.weight", "block2.bn.weight", "expand.weight"]))
        var frozen = FineTuning()
        frozen.backboneLayers = .from(layer: "no such layer", baseRateFactor: 1)
        #expect(throws: GraphError.self) { try TransferModel.train(.fineTune(frozen), imageNetwork: Self.network, on: images) }
    }

    @Test("fixed features from a named layer pool its maps")
    func featuresFromALayer() throws {
        let train = barImages(count: 150, classes: ["b", "c", "a"], seed: 3), test = barImages(count: 60, classes: ["b", "c", "a"], seed: 4)
        let model = try TransferModel.train(.fixedFeatures, imageNetwork: Self.network, on: train, featureLayer: "block2.relu", seed: 1)
        #expect(try model.evaluate(on: test).accuracy > 0.8)
        let network = try #require(model.imageNetwork)
        #expect(network.featureCount == 64 && network.graph.nodes.contains { $0.name == "features.pool" })
        #expect(throws: GraphError.self) { try TransferModel.train(.fixedFeatures, imageNetwork: Self.network, on: train, featureLayer: "nothing") }
    }

    @Test("auto: fixed features for small image data; for more, a short whole-network fine-tune against the frozen features decides")
    func auto() throws {
        let small = try StrategyAdvisor(seed: 1).train(imageNetwork: Self.network, on: barImages(count: 60, seed: 3))
        #expect(small.strategy == .fixedFeatures && small.advice?.inputKind == .images)
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 10
        let large = try StrategyAdvisor(seed: 1).train(imageNetwork: Self.network, on: barImages(count: 330, seed: 3), settings: settings)
        let advice = try #require(large.advice)
        #expect(advice.pixelBaselineAccuracy != nil)
        // The advice survives a write and read (image models once lost it).
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("graph-auto-\(UUID().uuidString).ekm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try large.write(to: path)
        #expect(try TransferModel(contentsOf: path).advice == advice)
        let reread = try TransferModel(contentsOf: path)
        #expect(large.imageTraining != nil && reread.imageTraining == large.imageTraining)
        // A short fine-tune of every layer against the frozen features decides: different data fine-tune every layer.
        let different = try #require(advice.heldOutAccuracy["fine-tune all"]) > advice.heldOutAccuracy["fixed-features"]!
        if different {
            #expect(Set(advice.heldOutAccuracy.keys) == ["fixed-features", "fine-tune all"])
            #expect(large.strategy.trainsPretrainedLayers && advice.reason.contains("different from the pre-training data"))
            return
        }
        #expect(Set(advice.heldOutAccuracy.keys) == ["fixed-features", "combine", "fine-tune top", "fine-tune all"])
        #expect(advice.reason.contains("similar to the pre-training data"))
        let names: [TransferStrategy.Kind: String] = [.fixedFeatures: "fixed-features", .combine: "combine"]
        let chosen = names[advice.chosen] ?? "fine-tune top"
        #expect(!large.strategy.trainsPretrainedLayers)
        #expect(advice.heldOutAccuracy[chosen] == advice.heldOutAccuracy.values.max())
        // On a tie the cheaper strategy wins: none listed before the chosen one scored as well.
        let order = ["fixed-features", "combine", "fine-tune top"]
        #expect(order.prefix { $0 != chosen }.allSatisfy { advice.heldOutAccuracy[$0]! < advice.heldOutAccuracy[chosen]! })
    }
}
