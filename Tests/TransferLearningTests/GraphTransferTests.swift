import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import Testing
import TransferLearning

@Suite("Image strategies on a graph network (as ONNX models import)", .serialized)
struct GraphTransferTests {
    /// The conv blocks of the small ConvNet pre-trained on bars, then a residual addition, a 1 × 1
    /// convolution with a fused ReLU, a global average pool and a classifier: a graph like
    /// MobileNetV2's end, whose final chain (1 × 1 convolution, pool, dense) fine-tuning can train.
    static let backbone: GraphBackbone = {
        var generator = SplitMix64(seed: 5)
        let layers = ImageTransferTests.backbone.network.layers
        var nodes = (0..<8).map { GraphNetwork.Node(.layer(layers[$0]), inputs: [$0], name: layers[$0].summary) }
        nodes.append(GraphNetwork.Node(.add, inputs: [8, 8], name: "residual"))
        let pointwise = Convolution2D(inputChannels: 64, outputChannels: 32, geometry: WindowGeometry(kernel: 1), using: &generator)
        nodes.append(GraphNetwork.Node(.layer(.convolution(pointwise)), inputs: [9], clamp: 0...6, name: "expand"))
        nodes.append(GraphNetwork.Node(.layer(.globalAveragePooling), inputs: [10], name: "pool"))
        nodes.append(GraphNetwork.Node(.layer(.dense(DenseLayer(inputs: 32, outputs: 3, using: &generator))), inputs: [11], name: "classifier"))
        let network = try! GraphNetwork(nodes: nodes, inputShape: MapShape(channels: 1, height: 8, width: 8))
        return GraphBackbone(network: network, preprocessing: ImagePreprocessing(shorterSide: nil, normalization: ImageTransferTests.backbone.normalization),
                             classNames: ["x", "y", "z"], featureValue: 12)
    }()

    @Test("the final chain is found and stops at the residual addition")
    func sequentialTail() {
        let (start, layers) = Self.backbone.sequentialTail()
        #expect(start == 9)
        #expect(layers.map(\.summary) == ["conv 1×1 32", "relu6", "global-average-pool", "dense 3"])
    }

    @Test("fixed features, top-2 fine-tuning and combine learn a new task; models survive a write and read",
          arguments: ["fixed-features", "fine-tune", "combine"])
    func strategies(name: String) throws {
        let train = barImages(count: 150, classes: ["b", "c", "a"], seed: 3), test = barImages(count: 60, classes: ["b", "c", "a"], seed: 4)
        let strategy: TransferStrategy = switch name {
        case "fixed-features": .fixedFeatures
        case "fine-tune": .fineTune(FineTuning())
        default: .combine(Combination())
        }
        var settings = MiniBatchSettings()
        settings.epochs = 40
        let model = try TransferModel.train(strategy, graphBackbone: Self.backbone, on: train, settings: settings, seed: 7)
        let report = try model.evaluate(on: test)
        #expect(report.accuracy > 0.8, "\(name): \(report.accuracy)")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("graph-\(name)-\(UUID().uuidString).ekm").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try model.write(to: path)
        let read = try TransferModel(contentsOf: path)
        #expect(try read.probabilities(for: test) == model.probabilities(for: test))
        #expect(read.labels == ["b", "c", "a"] && read.strategy.kind == strategy.kind)
    }

    @Test("fine-tuning every layer of a graph network is refused with a reason")
    func fineTuneAllRefused() {
        var all = FineTuning()
        all.backboneLayers = .all(baseRateFactor: 0.3)
        #expect(throws: TransferError.self) {
            _ = try TransferModel.train(.fineTune(all), graphBackbone: Self.backbone, on: barImages(count: 30, seed: 3))
        }
    }

    @Test("auto takes fixed features for small image data and compares candidates held out for more")
    func auto() throws {
        let small = try StrategyAdvisor(seed: 1).train(imageBackbone: .graph(Self.backbone), on: barImages(count: 60, seed: 3))
        #expect(small.strategy == .fixedFeatures && small.advice?.inputKind == .images)
        var settings = ImageTrainingSettings()
        settings.schedule.epochs = 10
        let large = try StrategyAdvisor(seed: 1).train(imageBackbone: .graph(Self.backbone), on: barImages(count: 330, seed: 3),
                                                       settings: settings)
        let advice = try #require(large.advice)
        #expect(Set(advice.heldOutAccuracy.keys) == ["fixed-features", "combine", "fine-tune top"])
        #expect(advice.pixelBaselineAccuracy != nil)
        #expect(advice.heldOutAccuracy[advice.chosen == .fixedFeatures ? "fixed-features" : advice.chosen == .combine ? "combine" : "fine-tune top"]
                == advice.heldOutAccuracy.values.max())
    }
}
