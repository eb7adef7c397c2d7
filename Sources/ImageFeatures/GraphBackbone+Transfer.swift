import LinearAlgebra
import NeuralNetworks

extension GraphBackbone {
    /// Whether the network's output is already probabilities: it ends in a softmax, or in a
    /// sigmoid (one probability per label, as an exported multi-label model does).
    public var outputsProbabilities: Bool {
        guard network.output == network.nodes.count, let last = network.nodes.last?.operation else { return false }
        switch last {
        case .softmax, .sigmoid: return true
        default: return false
        }
    }

    /// The backbone with another network and classes (a network trained from it), its features
    /// at that network's last global average pool.
    public func replacing(_ network: GraphNetwork, classNames: [String]) -> GraphBackbone {
        GraphBackbone(network: network, preprocessing: preprocessing, classNames: classNames,
                      featureValue: network.lastGlobalPool ?? network.output)
    }

    /// The chain of single-input layers that ends the network (for MobileNetV2: the last
    /// inverted-residual block, the 1 × 1 convolution to 1280 channels, the pool and the classifier),
    /// as sequential layers, and the value the chain starts from. Fused clamps become ReLU or ReLU6
    /// layers; the chain stops at any node that reads an earlier value or clamps otherwise.
    public func sequentialTail() -> (start: Int, layers: [NetworkLayer]) {
        guard network.output == network.nodes.count else { return (network.output, []) }
        var layers: [NetworkLayer] = [], index = network.nodes.count - 1
        while index >= 0, network.nodes[index].inputs == [index], case .layer(let layer) = network.nodes[index].operation {
            var block = [layer]
            if let clamp = network.nodes[index].clamp {
                if clamp == 0...Float.infinity {
                    block.append(.relu)
                } else if clamp == 0...6 {
                    block.append(.relu6)
                } else {
                    return (index + 1, layers)
                }
            }
            layers = block + layers
            index -= 1
        }
        return (index + 1, layers)
    }

    /// Top-N fine-tuning: the tail's last dense layer replaced by a new one of `classCount`
    /// outputs, and the top `count` parameter layers of the tail (counting that new one) trained on
    /// the frozen activations below them, computed once per image. Every layer below stays as it is.
    /// - Returns: the whole network with the trained top.
    /// - Throws: `TrainingError` when the network does not end in a chain with a dense layer, or training fails.
    public func fineTunedTop(_ count: Int, classCount: Int, images: ImageSet, validation: ImageSet?, settings: MiniBatchSettings,
                             seed: UInt64, progress: TrainingProgress?) throws -> GraphNetwork {
        let (start, tail) = sequentialTail()
        guard let outputIndex = tail.lastIndex(where: \.hasParameters), case .dense(let old) = tail[outputIndex] else {
            throw TrainingError.invalidData("fine-tuning replaces the network's last dense layer, and its final chain of layers has none")
        }
        var generator = SplitMix64(seed: seed)
        var layers = tail
        layers[outputIndex] = .dense(DenseLayer(inputs: old.weights.columns, outputs: classCount, initializer: .glorotUniform, using: &generator))
        let split = ConvNetBackbone.start(ofTop: count, in: layers)
        let frozenTail = try SequentialNetwork(layers: Array(layers[..<split]), inputShape: network.shapes[start])
        let cache = { (set: ImageSet) in frozenTail.forward(self.activations(of: set, value: start)) }
        var top = try SequentialNetwork(layers: Array(layers[split...]), inputShape: frozenTail.outputShape)
        try top.trainOnCached(cache(images), labels: images.labels, validation: validation.map { (cache($0), $0.labels) },
                              settings: settings, seed: seed &+ 1, progress: progress)
        return try appending(frozenTail.layers + top.layers, after: start)
    }

    /// Combine: the network up to its feature value (the global pool) frozen, with a new head —
    /// dropout, each of `hiddenLayers` as dense + ReLU + dropout, the class scores — trained on
    /// the features, computed once per image.
    /// - Returns: the network up to the features with the trained head, and the features' value in it.
    public func combined(hiddenLayers: [Int], classCount: Int, dropout: Float = 0.25, images: ImageSet, validation: ImageSet?,
                         settings: MiniBatchSettings, seed: UInt64, progress: TrainingProgress?) throws -> GraphNetwork {
        var generator = SplitMix64(seed: seed)
        var head: [NetworkLayer] = [.dropout(rate: dropout)], width = featureCount
        for size in hiddenLayers {
            head += [.dense(DenseLayer(inputs: width, outputs: size, using: &generator)), .relu, .dropout(rate: dropout)]
            width = size
        }
        head.append(.dense(DenseLayer(inputs: width, outputs: classCount, initializer: .glorotUniform, using: &generator)))
        var top = try SequentialNetwork(layers: head, inputShape: MapShape(features: featureCount))
        let cache = { (set: ImageSet) in
            let features = self.activations(of: set, value: self.featureValue)
            return FeatureMaps(values: features.values, shape: MapShape(features: self.featureCount))
        }
        try top.trainOnCached(cache(images), labels: images.labels, validation: validation.map { (cache($0), $0.labels) },
                              settings: settings, seed: seed &+ 1, progress: progress)
        let reshape: [NetworkLayer] = network.shapes[featureValue].spatialCount == 1 ? [] : [.flatten]
        return try appending(reshape + top.layers, after: featureValue)
    }

    /// The activations of `value` for every image, as one batch.
    func activations(of images: ImageSet, value: Int) -> FeatureMaps {
        let shape = network.shapes[value]
        var result = FeatureMaps(batch: images.count, shape: shape)
        forEachBatch(of: images, values: [value]) { start, outputs in
            outputs[0].values.withUnsafeBufferPointer { values in
                result.values.withUnsafeMutableBufferPointer { target in
                    _ = UnsafeMutableBufferPointer(rebasing: target[(start * shape.count)...]).update(fromContentsOf: values)
                }
            }
        }
        return result
    }

    /// The network's nodes up to `value`, then `layers` one after another.
    private func appending(_ layers: [NetworkLayer], after value: Int) throws -> GraphNetwork {
        var nodes = Array(network.nodes[..<value])
        for layer in layers { nodes.append(GraphNetwork.Node(.layer(layer), inputs: [nodes.count], name: layer.summary)) }
        return try GraphNetwork(nodes: nodes, inputShape: network.inputShape)
    }
}

extension SequentialNetwork {
    /// Trains on inputs computed beforehand (the frozen part's activations), drawing mini-batches from them.
    mutating func trainOnCached(_ inputs: FeatureMaps, labels: [Int], validation: (FeatureMaps, [Int])?, settings: MiniBatchSettings,
                                seed: UInt64, progress: TrainingProgress?) throws {
        let width = inputs.shape.count
        try train(count: inputs.batch, labels: labels, inputs: { batch, _ in
            var maps = FeatureMaps(batch: batch.count, shape: inputs.shape)
            inputs.values.withUnsafeBufferPointer { source in
                maps.values.withUnsafeMutableBufferPointer { target in
                    for (row, index) in batch.enumerated() {
                        (target.baseAddress! + row * width).update(from: source.baseAddress! + index * width, count: width)
                    }
                }
            }
            return maps
        }, validation: validation.map { (inputs: $0.0, labels: $0.1) }, settings: settings, seed: seed, progress: progress)
    }
}
