import Classifiers
import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

/// The image strategies on one pre-trained network: each returns the trained network, from the
/// image to the new classes. A frozen part is run once per image (its outputs cached) when no
/// augmentation changes the images between epochs and the cache fits in memory.
struct ImageTransfer {
    let network: ImageNetwork
    let images: ImageSet
    let validation: ImageSet?
    let settings: ImageTrainingSettings
    let seed: UInt64
    let progress: TrainingProgress?
    /// After each training step: the steps done and planned in the current run.
    let stepProgress: (@Sendable (Int, Int) -> Void)?

    /// The most bytes of frozen-part outputs kept in memory to train on.
    static let cacheBudget = 2 << 30

    var labels: [String] { images.classNames }

    /// Fixed features: the output of `layer` (the feature value by default), pooled, computed
    /// once, trains `head`; the network keeps its nodes up to that layer with the classifier on top.
    func fixedFeatures(head: ClassifierHead, layer: Graph.Value?) throws -> ImageNetwork {
        let feature = layer ?? network.featureValue
        let held = validation.map { (inputs: $0, classes: $0.labels) }
        let extractor = LayerFeatures(network: network, layer: feature)
        let (trained, _) = try TransferModel.trainHead(head, extractor: extractor, inputs: images, classes: images.labels,
                                                       classCount: labels.count, validation: held, seed: seed, progress: progress)
        var builder = GraphBuilder(continuing: network.graph, keepingNodes: Self.nodeCount(through: feature))
        let pooled = Self.appendPooling(to: &builder, reading: feature, shape: network.graph.shape(of: feature))
        let output = trained.appendNodes(to: &builder, reading: pooled)
        return try network.replacing(graph: try builder.graph(outputs: [output]), classNames: labels, featureValue: feature)
    }

    /// Fine-tuning: the network's last dense layer replaced by a new one of the new classes — or,
    /// for a network that classifies otherwise (SqueezeNet's 1 × 1 convolution before its global
    /// pool), the network up to its feature value, pooled, with the new dense layer on it — then
    /// the layers `fineTuning` chooses trained (after `linearProbeEpochs` of the new layer alone).
    func fineTune(_ fineTuning: FineTuning) throws -> ImageNetwork {
        var generator = SplitMix64(seed: seed)
        let graph = network.graph
        var builder: GraphBuilder, features: Graph.Value, inputs: Int
        if case .node(let last) = graph.outputs[0], let output = graph.weightedLayers.last, output == last,
           let dense = graph.nodes[output].operation as? Gemm, case .parameter(let old) = graph.nodes[output].inputs[1] {
            inputs = graph.parameters[old].value.shape[dense.transposesWeights ? 1 : 0]
            builder = GraphBuilder(continuing: graph, keepingNodes: output)
            features = graph.nodes[output].inputs[0]
        } else {
            builder = GraphBuilder(continuing: graph, keepingNodes: Self.nodeCount(through: network.featureValue))
            features = Self.appendPooling(to: &builder, reading: network.featureValue, shape: graph.shape(of: network.featureValue))
            inputs = network.featureCount
        }
        let output = builder.nodes.count
        let scores = builder.dense(features, inputs: inputs, outputs: labels.count, initializer: .glorotUniform,
                                   name: "classifier", using: &generator)
        var trained = try builder.graph(outputs: [scores])
        let newParameters = Set(trained.parameters.indices.filter { trained.parameters[$0].name.hasPrefix("classifier.") })
        if fineTuning.linearProbeEpochs > 0 {
            var probe = settings
            probe.schedule.epochs = fineTuning.linearProbeEpochs
            try train(&trained, scope: TrainingScope(firstNode: output), multipliers: [:], settings: probe, seed: generator.next())
        }
        let scope: TrainingScope, baseFactor: Float
        switch fineTuning.backboneLayers {
        case .all(let factor): (scope, baseFactor) = (TrainingScope(firstNode: 0, batchNormalization: fineTuning.batchNormalization), factor)
        case .top(let count): (scope, baseFactor) = (try TrainingScope(.top(count), in: trained, batchNormalization: fineTuning.batchNormalization), 1)
        case .from(let layer, let factor):
            (scope, baseFactor) = (try TrainingScope(.from(layer), in: trained, batchNormalization: fineTuning.batchNormalization), factor)
        }
        let multipliers = Self.rateMultipliers(trained, scope: scope, fresh: newParameters, baseFactor: baseFactor, decay: fineTuning.layerRateDecay)
        try train(&trained, scope: scope, multipliers: multipliers, settings: settings, seed: generator.next())
        return try network.replacing(graph: trained, classNames: labels)
    }

    /// Combine: the network up to its feature value frozen, with a new head (dropout, each of
    /// `hiddenLayers` as dense + ReLU + dropout, the class scores) trained on it.
    func combine(hiddenLayers: [Int], dropout: Float = 0.25) throws -> ImageNetwork {
        var generator = SplitMix64(seed: seed)
        let feature = network.featureValue
        var builder = GraphBuilder(continuing: network.graph, keepingNodes: Self.nodeCount(through: feature))
        let firstHeadNode = builder.nodes.count
        let pooled = Self.appendPooling(to: &builder, reading: feature, shape: network.graph.shape(of: feature))
        let value = builder.classifierHead(pooled, inputs: network.featureCount, hiddenLayers: hiddenLayers, classes: labels.count,
                                           dropout: dropout, using: &generator)
        var trained = try builder.graph(outputs: [value])
        try train(&trained, scope: TrainingScope(firstNode: firstHeadNode), multipliers: [:], settings: settings, seed: generator.next())
        return try network.replacing(graph: trained, classNames: labels, featureValue: feature)
    }

    /// Trains `graph`'s nodes in `scope` on the images: on the frozen part's cached outputs when
    /// the images do not change between epochs and the outputs fit `cacheBudget`, else batch by
    /// batch through the whole network.
    private func train(_ graph: inout Graph, scope: TrainingScope, multipliers: [Int: Float], settings: ImageTrainingSettings, seed: UInt64) throws {
        let normalization = network.preprocessing.normalization
        if settings.augmentation.isIdentity, scope.firstNode > 0 {
            var head = try graph.head(from: scope.firstNode)
            let perImage = head.frontier.reduce(0) { $0 + graph.shape(of: $1).dropFirst().reduce(1, *) } * 4
            if perImage * (images.count + (validation?.count ?? 0)) <= Self.cacheBudget {
                let frozen = graph
                func cached(_ set: ImageSet) throws -> TensorBatches {
                    TensorBatches(try Self.outputs(head.frontier, of: set, graph: frozen, normalization: normalization), labels: set.labels)
                }
                let sourceIndex = Dictionary(uniqueKeysWithValues: head.parameterSources.enumerated().map { ($1, $0) })
                let headMultipliers = Dictionary(uniqueKeysWithValues: multipliers.compactMap { key, value in sourceIndex[key].map { ($0, value) } })
                try head.graph.train(on: try cached(images), validation: try validation.map(cached),
                                     scope: TrainingScope(firstNode: 0, batchNormalization: scope.batchNormalization),
                                     rateMultipliers: headMultipliers, settings: settings.schedule, seed: seed, progress: progress,
                                     stepProgress: stepProgress)
                graph.absorb(head)
                return
            }
        }
        try graph.train(on: ImageBatches(images, normalization: normalization, augmentation: settings.augmentation),
                        validation: validation.map { ImageBatches($0, normalization: normalization) }, scope: scope,
                        rateMultipliers: multipliers, settings: settings.schedule, seed: seed, progress: progress, stepProgress: stepProgress)
    }

    /// The values `values` of `graph` for every image, in batches (inference mode).
    static func outputs(_ values: [Graph.Value], of images: ImageSet, graph: Graph, normalization: PixelNormalization) throws -> [Tensor] {
        var unused = SplitMix64(seed: 0)
        var parts: [[Tensor]] = []
        for start in stride(from: 0, to: images.count, by: 32) {
            let batch = images.tensor(start..<min(images.count, start + 32), normalization: normalization, using: &unused)
            parts.append(try graph.runSplittingBatch([batch], outputs: values))
        }
        return values.indices.map { index in Tensor(concatenatingRows: parts.map { $0[index] }) }
    }

    /// The learning-rate factor of every trained parameter: 1 for the new ones, `baseFactor` for
    /// the pre-trained ones, times `decay` per weighted layer between theirs and the top.
    static func rateMultipliers(_ graph: Graph, scope: TrainingScope, fresh: Set<Int>, baseFactor: Float, decay: Float?) -> [Int: Float] {
        let layers = graph.weightedLayers
        var result: [Int: Float] = [:]
        for (index, node) in graph.nodes.enumerated() where index >= scope.firstNode {
            let depth = layers.filter { $0 > index }.count
            for case .parameter(let parameter) in node.inputs where !fresh.contains(parameter) && graph.parameters[parameter].kind == .weight {
                result[parameter] = baseFactor * (decay.map { Float(pow(Double($0), Double(depth))) } ?? 1)
            }
        }
        return result
    }

    /// The number of nodes to keep so that `value` is computed (0 for an input).
    static func nodeCount(through value: Graph.Value) -> Int {
        if case .node(let index) = value { return index + 1 }
        return 0
    }

    /// Adds what turns `value` (of example shape `shape`) into N × features: a global average
    /// pool when it has maps, then a flatten when it has more than two dimensions.
    static func appendPooling(to builder: inout GraphBuilder, reading value: Graph.Value, shape: [Int]) -> Graph.Value {
        var current = value
        if shape.count > 2 && shape.dropFirst(2).reduce(1, *) > 1 { current = builder.node(GlobalAveragePool(), [current], name: "features.pool") }
        if shape.count > 2 { current = builder.node(Flatten(), [current], name: "features.flatten") }
        return current
    }
}

/// The pooled output of one layer of an image network, as fixed features.
struct LayerFeatures: FeatureExtractor {
    let network: ImageNetwork
    let layer: Graph.Value

    var featureCount: Int { ImageNetwork.pooledFeatureCount(of: network.graph.shape(of: layer)) }

    func extractFeatures(from inputs: ImageSet) throws -> (features: Matrix, coverage: Double) {
        guard inputs.shape == network.inputShape else { throw TransferError.imageShape(inputs.shape, expected: network.inputShape) }
        return (try network.features(of: inputs, layer: layer), 1)
    }
}
