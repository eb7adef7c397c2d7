import LinearAlgebra
import NeuralNetworks

/// Which layers of a pre-trained network fine-tuning trains.
public enum BackboneLayers: Sendable, Hashable, Codable {
    /// Every layer; the pre-trained ones at this factor of the learning rate.
    case all(baseRateFactor: Float)
    /// Only the top `n` layers with parameters (convolutions and dense layers, each with its batch
    /// normalisation), counting the new output layer; the rest stay frozen.
    case top(Int)
}

extension ConvNetBackbone {
    /// The backbone with another network and classes (a network trained from it).
    public func replacing(_ network: SequentialNetwork, classNames: [String]) -> ConvNetBackbone {
        ConvNetBackbone(network: network, normalization: normalization, classNames: classNames, featureLayer: featureLayer)
    }

    /// The network with its last dense layer replaced by a new one of `classCount` outputs,
    /// trained on `images` — all of it with the pre-trained layers at a smaller rate, or only its
    /// top layers on the frozen output of the rest.
    /// - Throws: `TrainingError` when the network does not end in a dense layer or training fails.
    public func fineTuned(classCount: Int, layers trainable: BackboneLayers, images: ImageSet, validation: ImageSet?,
                          settings: ImageTrainingSettings, seed: UInt64, progress: TrainingProgress?) throws -> SequentialNetwork {
        guard let outputIndex = network.layers.lastIndex(where: \.hasParameters), case .dense(let old) = network.layers[outputIndex] else {
            throw TrainingError.invalidData("fine-tuning replaces the network's last dense layer, and it has none")
        }
        var generator = SplitMix64(seed: seed)
        var layers = network.layers
        layers[outputIndex] = .dense(DenseLayer(inputs: old.weights.columns, outputs: classCount, initializer: .glorotUniform, using: &generator))
        switch trainable {
        case .all(let factor):
            var whole = try SequentialNetwork(layers: layers, inputShape: network.inputShape)
            var schedule = settings
            schedule.schedule.rateMultipliers = layers.indices.map { $0 >= outputIndex ? 1 : factor }
            try whole.train(images, normalization: normalization, validation: validation, settings: schedule, seed: seed &+ 1, progress: progress)
            return whole
        case .top(let count):
            let split = Self.start(ofTop: count, in: layers)
            let base = try SequentialNetwork(layers: Array(layers[..<split]), inputShape: network.inputShape)
            var top = try SequentialNetwork(layers: Array(layers[split...]), inputShape: base.outputShape)
            try top.train(images, normalization: normalization, frozenBase: split > 0 ? base : nil, validation: validation,
                          settings: settings, seed: seed &+ 1, progress: progress)
            return try SequentialNetwork(layers: base.layers + top.layers, inputShape: network.inputShape)
        }
    }

    /// The network up to the feature layer, frozen, with a new head on top — dropout, then each of
    /// `hiddenLayers` as dense + ReLU + dropout, then the class scores — trained on `images`
    /// (augmented batches through the frozen part).
    public func combined(hiddenLayers: [Int], classCount: Int, dropout: Float = 0.25, images: ImageSet, validation: ImageSet?,
                         settings: ImageTrainingSettings, seed: UInt64, progress: TrainingProgress?) throws -> SequentialNetwork {
        var generator = SplitMix64(seed: seed)
        let base = try SequentialNetwork(layers: Array(network.layers[..<featureLayer]), inputShape: network.inputShape)
        var head: [NetworkLayer] = [.dropout(rate: dropout)], width = base.outputShape.count
        for size in hiddenLayers {
            head += [.dense(DenseLayer(inputs: width, outputs: size, using: &generator)), .relu, .dropout(rate: dropout)]
            width = size
        }
        head.append(.dense(DenseLayer(inputs: width, outputs: classCount, initializer: .glorotUniform, using: &generator)))
        var top = try SequentialNetwork(layers: head, inputShape: MapShape(features: base.outputShape.count))
        try top.train(images, normalization: normalization, frozenBase: base, validation: validation, settings: settings,
                      seed: seed &+ 1, progress: progress)
        let flattened = base.outputShape.height == 1 && base.outputShape.width == 1 ? [] : [NetworkLayer.flatten]
        return try SequentialNetwork(layers: base.layers + flattened + top.layers, inputShape: network.inputShape)
    }

    /// The index of the first layer of the top `count` parameter layers (a batch normalisation
    /// goes with the convolution before it).
    static func start(ofTop count: Int, in layers: [NetworkLayer]) -> Int {
        var seen = 0
        for index in layers.indices.reversed() {
            switch layers[index] {
            case .convolution, .dense:
                seen += 1
                if seen == count { return index }
            default: continue
            }
        }
        return 0
    }
}
