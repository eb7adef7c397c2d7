import Classifiers
import Foundation
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// The text strategies on a pre-trained sentence encoder: each returns one network from ids and
/// mask to the new classes' probabilities. The frozen encoder of fixed features and combine runs
/// once per text (its embeddings cached); fine-tuning runs it every step.
struct SentenceEncoderTransfer {
    let encoder: SentenceEncoder
    /// The training texts, tokenized once, and their classes.
    let examples: SentenceBatches
    let labels: [String]
    let validation: SentenceBatches?
    let settings: TrainingSettings
    let seed: UInt64
    let progress: TrainingProgress?
    let stepProgress: (@Sendable (Int, Int) -> Void)?

    /// The sentence embedding in the encoder's graph, and the nodes that compute it.
    private var embedding: Graph.Value { encoder.graph.outputs[0] }
    private var embeddingNodes: Int { ImageTransfer.nodeCount(through: embedding) }

    /// Fixed features: the frozen encoder's embeddings, computed once, train `head`, which then
    /// sits on the encoder as graph nodes.
    func fixedFeatures(head: ClassifierHead) throws -> SentenceEncoderClassifier {
        let (trained, _) = try TransferModel.trainHead(head, extractor: TokenizedSentenceFeatures(encoder: encoder), inputs: examples.encoded,
                                                       classes: examples.labels, classCount: labels.count,
                                                       validation: validation.map { (inputs: $0.encoded, classes: $0.labels) }, seed: seed, progress: progress)
        var builder = GraphBuilder(continuing: encoder.graph, keepingNodes: embeddingNodes)
        let output = trained.appendNodes(to: &builder, reading: embedding)
        return try classifier(try builder.graph(outputs: [output]), trainedFrom: embeddingNodes)
    }

    /// Fine-tuning: dropout and a new dense layer of the classes on the sentence embedding, and
    /// the encoder layers `fineTuning.encoderLayers` chooses training with it at their share of the rate.
    func fineTune(_ fineTuning: FineTuning) throws -> SentenceEncoderClassifier {
        var generator = SplitMix64(seed: seed)
        var builder = GraphBuilder(continuing: encoder.graph, keepingNodes: embeddingNodes)
        let headStart = builder.nodes.count
        let dropped = builder.node(Dropout(ratio: 0.1), [embedding], name: "classifier.dropout")
        let scores = builder.dense(dropped, inputs: encoder.configuration.hiddenSize, outputs: labels.count, initializer: .glorotUniform,
                                   name: "classifier", using: &generator)
        var network = try builder.graph(outputs: [scores])
        let (firstNode, baseFactor) = try firstTrainedNode(fineTuning.encoderLayers, in: network)
        let scope = TrainingScope(firstNode: firstNode)
        let multipliers = rateMultipliers(network, scope: scope, headStart: headStart, baseFactor: baseFactor, decay: fineTuning.layerRateDecay)
        try network.train(on: examples, validation: validation, scope: scope, rateMultipliers: multipliers, settings: settings,
                          seed: generator.next(), progress: progress, stepProgress: stepProgress)
        return try classifier(try Self.withSoftmax(network), trainedFrom: firstNode)
    }

    /// Combine: the encoder frozen, a new head on its embedding (dropout, each of `hiddenLayers`
    /// as dense + ReLU + dropout, the class scores) trained on the embeddings computed once.
    func combine(hiddenLayers: [Int], dropout: Float = 0.1) throws -> SentenceEncoderClassifier {
        var generator = SplitMix64(seed: seed)
        var builder = GraphBuilder(continuing: encoder.graph, keepingNodes: embeddingNodes)
        let headStart = builder.nodes.count
        let value = builder.classifierHead(embedding, inputs: encoder.configuration.hiddenSize, hiddenLayers: hiddenLayers, classes: labels.count,
                                           dropout: dropout, using: &generator)
        var network = try builder.graph(outputs: [value])
        var head = try network.head(from: headStart)
        func cached(_ sentences: SentenceBatches) throws -> TensorBatches {
            TensorBatches([Tensor(try encoder.rows(of: encoder.graph, forTokenized: sentences.encoded))], labels: sentences.labels)
        }
        try head.graph.train(on: try cached(examples), validation: try validation.map(cached),
                             settings: settings, seed: generator.next(), progress: progress, stepProgress: stepProgress)
        network.absorb(head)
        return try classifier(try Self.withSoftmax(network), trainedFrom: headStart)
    }

    /// The classifier of `network`, whose weights from node `firstNode` on trained.
    private func classifier(_ network: Graph, trainedFrom firstNode: Int) throws -> SentenceEncoderClassifier {
        let trained = TrainingScope(firstNode: firstNode).trainedParameters(in: network)
        let pretrained = Set(encoder.graph.parameters.map(\.name))
        let names = Set(network.parameters.indices.filter { trained.contains($0) || !pretrained.contains(network.parameters[$0].name) }
            .map { network.parameters[$0].name })
        return SentenceEncoderClassifier(encoder: encoder, network: network, trainedParameters: names)
    }

    /// The first node that trains for `layers`, and the pre-trained weights' share of the rate.
    private func firstTrainedNode(_ layers: BackboneLayers, in network: Graph) throws -> (Int, Float) {
        let count = encoder.configuration.layerCount
        switch layers {
        case .all(let factor):
            return (0, factor)
        case .top(let n):
            guard (1...count).contains(n) else {
                throw GraphError(node: nil, "the encoder has \(count) transformer layers; top \(n) is not 1 to \(count)")
            }
            let name = "encoder.layer.\(count - n).attention.self.query"
            guard let index = network.nodeIndex(named: name) else { throw GraphError(node: nil, "the encoder has no node '\(name)'") }
            return (index, FineTuning.encoderRateFactor)
        case .from(let name, let factor):
            guard let index = network.nodeIndex(named: name) else {
                throw GraphError(node: nil, "no node is named '\(name)' (names and numbers as `embkit info --layers` lists them)")
            }
            return (index, factor)
        }
    }

    /// The rate factor of every pre-trained weight that trains: `baseFactor`, times `decay` per
    /// transformer layer above its own (the embeddings one below the first layer).
    private func rateMultipliers(_ network: Graph, scope: TrainingScope, headStart: Int, baseFactor: Float, decay: Float?) -> [Int: Float] {
        let layerCount = encoder.configuration.layerCount
        var result: [Int: Float] = [:]
        for (index, node) in network.nodes.enumerated() where index >= scope.firstNode && index < headStart {
            let parts = node.name.split(separator: ".")
            let layer = parts.count > 2 && parts[0] == "encoder" && parts[1] == "layer" ? Int(parts[2]) ?? -1 : -1
            let depth = layerCount - 1 - layer
            for case .parameter(let parameter) in node.inputs where network.parameters[parameter].kind == .weight {
                result[parameter] = baseFactor * (decay.map { Float(pow(Double($0), Double(depth))) } ?? 1)
            }
        }
        return result
    }

    /// `network` with a softmax on its class scores.
    private static func withSoftmax(_ network: Graph) throws -> Graph {
        var builder = GraphBuilder(continuing: network)
        let probabilities = builder.node(Softmax(axis: -1), [network.outputs[0]], name: "probabilities")
        return try builder.graph(outputs: [probabilities])
    }
}

/// Texts as WordPiece ids with their classes, made into padded batches of ids and mask, each of
/// texts of similar length.
struct SentenceBatches: TrainingBatches {
    /// Batches are cut from runs of this many batches of the shuffled order, each sorted by length
    /// (Hugging Face's `group_by_length`): on Rotten Tomatoes a random batch of 32 pads its texts to
    /// 3.4 times their tokens (the longest review sets the width), so this cuts a step's work by
    /// about as much while the batches still mix texts at random.
    static let batchesPerRun = 50

    let encoded: [[Int32]]
    let labels: [Int]
    let tokenizer: WordPieceTokenizer

    init(encoder: SentenceEncoder, texts: [String], classes: [Int]) {
        encoded = encoder.tokenized(texts)
        labels = classes
        tokenizer = encoder.tokenizer
    }

    var count: Int { labels.count }

    func batches(of order: [Int], batchSize: Int) -> [[Int]] {
        stride(from: 0, to: order.count, by: batchSize * Self.batchesPerRun).flatMap { start in
            let run = order[start..<min(order.count, start + batchSize * Self.batchesPerRun)].sorted { (encoded[$0].count, $0) > (encoded[$1].count, $1) }
            return stride(from: 0, to: run.count, by: batchSize).map { Array(run[$0..<min(run.count, $0 + batchSize)]) }
        }
    }

    func batch(_ indices: [Int], seed: UInt64) -> TrainingBatch {
        let batch = tokenizer.batch(encoded: indices.map { encoded[$0] })
        return TrainingBatch(inputs: [batch.ids, batch.attentionMask], labels: indices.map { labels[$0] })
    }
}

/// The frozen encoder's sentence embeddings of texts tokenized once, as fixed features.
private struct TokenizedSentenceFeatures: FeatureExtractor {
    let encoder: SentenceEncoder

    var featureCount: Int { encoder.featureCount }

    func extractFeatures(from inputs: [[Int32]]) throws -> (features: Matrix, coverage: Double) {
        (try encoder.rows(of: encoder.graph, forTokenized: inputs), encoder.coverage(of: inputs))
    }
}

extension SentenceEncoder: FeatureExtractor {
    /// The sentence embedding's width.
    public var featureCount: Int { configuration.hiddenSize }

    /// The sentence embeddings of `inputs` and the share of their WordPiece pieces that are not `[UNK]`.
    public func extractFeatures(from inputs: [String]) throws -> (features: Matrix, coverage: Double) {
        let rows = try rows(of: graph, for: inputs)
        return (rows.matrix, rows.coverage)
    }
}
