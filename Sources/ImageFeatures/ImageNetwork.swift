import LinearAlgebra
import NeuralNetworks

/// An image classifier as one graph — the small ConvNet pre-trained here, or a published
/// ImageNet network read from ONNX, as it is or after transfer — with what it needs to read
/// photos: its preprocessing, its class names, and the value whose output serves as features
/// for other tasks (an ImageNet network's global average pool).
public struct ImageNetwork: Sendable {
    /// Normalised images (N × C × H × W) to class scores (N × classes), or probabilities when
    /// the graph ends in a softmax or sigmoid.
    public let graph: Graph
    /// How photos become inputs.
    public let preprocessing: ImagePreprocessing
    /// The classes, by output index.
    public let classNames: [String]
    /// The value whose output is the feature vector (global-average-pooled when it has maps).
    public let featureValue: Graph.Value
    /// `graph` rewritten for prediction (batch normalisation folded, activations fused, filters
    /// packed), the feature value kept exact.
    public let inference: Graph

    /// A network from its parts; the features default to the last global average pool, else the
    /// input of the last layer with weights.
    /// - Throws: `GraphError` when the graph does not take one C × H × W image input and give one
    ///   score per class, or the normalisation does not have one entry per channel.
    public init(graph: Graph, preprocessing: ImagePreprocessing, classNames: [String], featureValue: Graph.Value? = nil) throws {
        guard graph.inputs.count == 1, graph.inputs[0].shape.count == 4, graph.inputs[0].elementType == .float32,
              graph.inputs[0].shape.dropFirst().allSatisfy({ ($0 ?? 0) > 0 }) else {
            throw GraphError(node: nil, "an image network takes one N × C × H × W float input of fixed C, H and W")
        }
        let outputShape = graph.shape(of: graph.outputs[0])
        guard outputShape.count == 2, classNames.count == outputShape[1] else {
            throw GraphError(node: nil, "the network gives \(outputShape) scores for \(classNames.count) class names")
        }
        guard preprocessing.normalization.channels == graph.inputs[0].shape[1] else {
            throw GraphError(node: nil, "the normalisation has \(preprocessing.normalization.channels) channels; the network takes \(graph.inputs[0].shape[1]!)")
        }
        let feature = featureValue ?? Self.defaultFeatureValue(of: graph)
        if case .node(let index) = feature, !graph.nodes.indices.contains(index) { throw GraphError(node: nil, "feature value \(feature) is not a node") }
        self.graph = graph
        self.preprocessing = preprocessing
        self.classNames = classNames
        self.featureValue = feature
        inference = graph.optimizedForInference(keeping: [feature])
    }

    /// The last global average pool, else what the last layer with weights reads — and what a
    /// convolutional classifier reads: a 1 × 1 convolution that is the last layer with weights and
    /// reaches the last pool through activations alone (SqueezeNet's classifier), whose pooled
    /// output would be the old classes' scores rather than features.
    static func defaultFeatureValue(of graph: Graph) -> Graph.Value {
        if let pool = graph.nodes.lastIndex(where: { $0.operation is GlobalAveragePool }) {
            if let classifier = convolutionalClassifier(of: graph, pool: pool) { return graph.nodes[classifier].inputs[0] }
            return .node(pool)
        }
        if let last = graph.weightedLayers.last { return graph.nodes[last].inputs[0] }
        return graph.outputs[0]
    }

    /// The 1 × 1 convolution that classifies before the global pool at node `pool`, if the network has one.
    private static func convolutionalClassifier(of graph: Graph, pool: Int) -> Int? {
        guard let last = graph.weightedLayers.last, last < pool, let convolution = graph.nodes[last].operation as? Convolution,
              convolution.geometry.kernelHeight == 1, convolution.geometry.kernelWidth == 1 else { return nil }
        var value = graph.nodes[pool].inputs[0]
        while case .node(let index) = value, index != last {
            let operation = graph.nodes[index].operation
            guard operation is Relu || operation is Dropout || operation is Identity || operation is Clip else { return nil }
            value = graph.nodes[index].inputs[0]
        }
        return value == .node(last) ? last : nil
    }

    /// The same network with another graph (trained from this one), classes and feature value.
    /// - Throws: as `init`.
    public func replacing(graph: Graph, classNames: [String]? = nil, featureValue: Graph.Value? = nil) throws -> ImageNetwork {
        try ImageNetwork(graph: graph, preprocessing: preprocessing, classNames: classNames ?? self.classNames,
                         featureValue: featureValue ?? (classNames == nil ? self.featureValue : nil))
    }

    /// The same network with another preprocessing (e.g. the whole image resized to the input
    /// instead of a centre crop).
    /// - Throws: `GraphError` when the normalisation does not fit the input's channels.
    public func replacing(preprocessing: ImagePreprocessing) throws -> ImageNetwork {
        try ImageNetwork(graph: graph, preprocessing: preprocessing, classNames: classNames, featureValue: featureValue)
    }

    /// The same network on images of `height` × `width` (a fully convolutional network up to
    /// its global pool takes any size; a shorter side for the centre crop scales with it, so the
    /// crop keeps the same share of the photo).
    /// - Throws: `GraphError` naming the first node that cannot take the new size.
    public func resized(height: Int, width: Int) throws -> ImageNetwork {
        guard (8...4096).contains(height), (8...4096).contains(width) else { throw GraphError(node: nil, "an input of \(height)×\(width)") }
        var input = graph.inputs[0]
        input.shape = [nil, input.shape[1], height, width]
        let resized = try Graph(inputs: [input], parameters: graph.parameters, nodes: graph.nodes, outputs: graph.outputs)
        var preprocessing = preprocessing
        if let side = preprocessing.shorterSide {
            let scale = max(Double(height) / Double(inputShape.height), Double(width) / Double(inputShape.width))
            preprocessing.shorterSide = max(height, width, Int((Double(side) * scale).rounded()))
        }
        return try ImageNetwork(graph: resized, preprocessing: preprocessing, classNames: classNames, featureValue: featureValue)
    }

    /// The shape images are fitted to.
    public var inputShape: MapShape {
        let shape = graph.inputs[0].shape
        return MapShape(channels: shape[1]!, height: shape[2]!, width: shape[3]!)
    }

    /// Whether the graph's output is already probabilities (it ends in a softmax, or a sigmoid
    /// for one probability per label, as an exported multi-label model does).
    public var outputsProbabilities: Bool {
        guard case .node(let index) = graph.outputs[0] else { return false }
        return graph.nodes[index].operation is Softmax || graph.nodes[index].operation is Sigmoid
    }

    /// The number of features (of the feature value, after pooling its maps).
    public var featureCount: Int { Self.pooledFeatureCount(of: graph.shape(of: featureValue)) }

    /// The number of pooled features of a value of example shape `shape`: its channels when it
    /// has maps, else all its values.
    public static func pooledFeatureCount(of shape: [Int]) -> Int {
        shape.count > 2 ? shape[1] : shape.dropFirst().reduce(1, *)
    }

    /// The outputs `values` of every image, run in batches of `batchSize` (examples spread over
    /// the threads), through `inference` unless a value is one it absorbed.
    /// - Precondition: the images have the network's input shape.
    /// - Throws: `GraphError` when a node cannot run.
    public func outputs(_ values: [Graph.Value], of images: ImageSet, batchSize: Int = 32, parallelism: Parallelism = .available) throws -> [Tensor] {
        precondition(images.shape == inputShape, "ImageNetwork: images of \(images.shape), the network takes \(inputShape)")
        let exact = values.allSatisfy { $0 == featureValue || $0 == graph.outputs[0] }
        let runner = exact ? inference : graph
        var unused = SplitMix64(seed: 0)
        var parts: [[Tensor]] = []
        for start in stride(from: 0, to: images.count, by: max(1, batchSize)) {
            let batch = images.tensor(start..<min(images.count, start + max(1, batchSize)), normalization: preprocessing.normalization,
                                      using: &unused)
            parts.append(try runner.runSplittingBatch([batch], outputs: values, parallelism: parallelism))
        }
        guard !parts.isEmpty else { return values.map { Tensor(zeros: [0] + graph.shape(of: $0).dropFirst()) } }
        return values.indices.map { index in Tensor(concatenatingRows: parts.map { $0[index] }) }
    }

    /// The features of every image as rows: the output of `layer` (the feature value by default),
    /// its maps global-average-pooled when it has any.
    /// - Throws: `GraphError` when a node cannot run.
    public func features(of images: ImageSet, layer: Graph.Value? = nil, parallelism: Parallelism = .available) throws -> Matrix {
        let output = try outputs([layer ?? featureValue], of: images, parallelism: parallelism)[0]
        return Self.pooled(output)
    }

    /// A value's output as rows: maps averaged to one value each, anything else flattened.
    static func pooled(_ output: Tensor) -> Matrix {
        guard output.rank > 2 else { return output.reshaped([output.shape[0], output.shape.dropFirst().reduce(1, *)]).matrix }
        let (rows, channels) = (output.shape[0], output.shape[1]), spatial = output.shape.dropFirst(2).reduce(1, *)
        return Matrix(rows: rows, columns: channels, writingEveryElement: { target in
            output.withUnsafeBufferPointer { values in
                for map in 0..<(rows * channels) {
                    var sum: Float = 0
                    for index in (map * spatial)..<((map + 1) * spatial) { sum += values[index] }
                    target[map] = sum / Float(max(1, spatial))
                }
            }
        })
    }

    /// Class probabilities of every image (rows): the graph's output, with a softmax when it
    /// gives scores.
    /// - Throws: `GraphError` when a node cannot run.
    public func probabilities(of images: ImageSet, parallelism: Parallelism = .available) throws -> Matrix {
        var scores = try outputs([graph.outputs[0]], of: images, parallelism: parallelism)[0].matrix
        guard !outputsProbabilities else { return scores }
        let width = scores.columns
        scores.withUnsafeMutableBufferPointer { values in
            for row in 0..<images.count { Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)])) }
        }
        return scores
    }
}
