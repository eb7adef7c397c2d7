import LinearAlgebra

/// Layers applied one after another to NCHW maps (a ConvNet, or any stack of the layers
/// `NetworkLayer` has), with explicit forward and backward passes; batches are spread over the
/// cores inside each layer.
public struct SequentialNetwork: Sendable {
    /// The layers, input first.
    public var layers: [NetworkLayer]
    /// The shape of one input example.
    public let inputShape: MapShape
    /// Each layer's output shape.
    public let shapes: [MapShape]

    /// A network over inputs of `inputShape`.
    /// - Throws: `TrainingError.invalidData` naming the first layer that cannot take its input.
    public init(layers: [NetworkLayer], inputShape: MapShape) throws {
        var shapes: [MapShape] = [], shape = inputShape
        for (index, layer) in layers.enumerated() {
            guard let next = layer.outputShape(for: shape) else {
                throw TrainingError.invalidData("layer \(index + 1) (\(layer.summary)) cannot take input \(shape)")
            }
            shapes.append(next)
            shape = next
        }
        self.layers = layers
        self.inputShape = inputShape
        self.shapes = shapes
    }

    /// The shape of one output example.
    public var outputShape: MapShape { shapes.last ?? inputShape }

    /// Multiply-adds of the convolutions and dense layers for one example's forward pass.
    public var forwardMultiplyAdds: Int {
        zip(layers, shapes).reduce(0) { total, pair in
            switch pair.0 {
            case .convolution(let layer): total + pair.1.count * layer.weights.columns
            case .dense(let layer): total + layer.weights.rows * layer.weights.columns
            default: total
            }
        }
    }

    /// The inference pass through layers `0..<end` (all by default): batch normalisation by its
    /// running statistics, no dropout.
    public func forward(_ input: FeatureMaps, upTo end: Int? = nil, parallelism: Parallelism = .available) -> FeatureMaps {
        precondition(input.shape == inputShape, "SequentialNetwork: input \(input.shape), expected \(inputShape)")
        var maps = input
        for index in 0..<(end ?? layers.count) {
            maps = Self.inferenceForward(layers[index], maps, shape: shapes[index], parallelism: parallelism)
        }
        return maps
    }

    static func inferenceForward(_ layer: NetworkLayer, _ input: FeatureMaps, shape: MapShape, parallelism: Parallelism) -> FeatureMaps {
        switch layer {
        case .convolution(let convolution): return convolution.forward(input, parallelism: parallelism)
        case .batchNormalization(let normalization): return normalization.forward(input, parallelism: parallelism)
        case .dense(let dense): return FeatureMaps(values: dense.forward(input.values), shape: shape)
        case .relu, .relu6:
            var output = input
            ElementwiseLayers.clamp(&output, ceiling: layer.ceiling)
            return output
        case .pooling(let pooling): return pooling.forward(input, parallelism: parallelism)
        case .globalAveragePooling: return ElementwiseLayers.globalAverage(input)
        case .flatten: return FeatureMaps(values: input.values, shape: shape)
        case .dropout: return input
        }
    }
}

extension NetworkLayer {
    /// The clamp ceiling of ReLU (∞) and ReLU6 (6).
    var ceiling: Float { if case .relu6 = self { 6 } else { .infinity } }
}

/// What a training pass keeps of one layer for its backward pass.
public struct LayerTrace: Sendable {
    /// The layer's input.
    let input: FeatureMaps
    /// Its output (ReLU needs it).
    let output: FeatureMaps
    /// The batch statistics of batch normalisation.
    let statistics: BatchNormalization.BatchStatistics?
    /// The dropout factors (0 or 1 / (1 − rate)).
    let mask: Matrix?
}

extension SequentialNetwork {
    /// The training pass: batch normalisation by batch statistics (its running statistics move),
    /// dropout drawn from `generator`. Returns the output and what backward needs.
    public mutating func trainingForward<G: RandomNumberGenerator>(_ input: FeatureMaps, using generator: inout G,
                                                                   parallelism: Parallelism = .available)
        -> (output: FeatureMaps, traces: [LayerTrace]) {
        precondition(input.shape == inputShape, "SequentialNetwork: input \(input.shape), expected \(inputShape)")
        var maps = input, traces: [LayerTrace] = []
        traces.reserveCapacity(layers.count)
        for index in layers.indices {
            var statistics: BatchNormalization.BatchStatistics?, mask: Matrix?
            let output: FeatureMaps
            switch layers[index] {
            case .batchNormalization(var normalization):
                (output, statistics) = normalization.trainingForward(maps, parallelism: parallelism)
                layers[index] = .batchNormalization(normalization)
            case .dropout(let rate) where rate > 0:
                var dropped = maps.values, factors = Matrix(rows: maps.values.rows, columns: maps.values.columns)
                DenseLayer.dropout(&dropped, rate: rate, mask: &factors, using: &generator)
                output = FeatureMaps(values: dropped, shape: maps.shape)
                mask = factors
            default:
                output = Self.inferenceForward(layers[index], maps, shape: shapes[index], parallelism: parallelism)
            }
            traces.append(LayerTrace(input: maps, output: output, statistics: statistics, mask: mask))
            maps = output
        }
        return (maps, traces)
    }

    /// Backpropagates `outputGradient` through the traced pass down to layer `first`: the
    /// parameter gradients of layers `first...` (summed over the batch; `zeroed` layers below
    /// `first` and for layers without parameters) and, when `first == 0` and `inputGradient`,
    /// the gradient at the input.
    public func backward(_ traces: [LayerTrace], outputGradient: FeatureMaps, downTo first: Int = 0, inputGradient: Bool = false,
                         parallelism: Parallelism = .available) -> (gradients: [NetworkLayer], input: FeatureMaps?) {
        precondition(traces.count == layers.count && outputGradient.shape == outputShape, "backward: traces or gradient do not fit")
        var gradients = layers.map(\.zeroed)
        var gradient = outputGradient
        for index in stride(from: layers.count - 1, through: first, by: -1) {
            let trace = traces[index]
            let needsInput = index > first || inputGradient
            switch layers[index] {
            case .convolution(let convolution):
                let (input, parameters) = convolution.backward(trace.input, outputGradient: gradient, inputGradient: needsInput,
                                                                parallelism: parallelism)
                gradients[index] = .convolution(parameters)
                if let input { gradient = input }
            case .batchNormalization(let normalization):
                let (input, parameters) = normalization.backward(trace.input, statistics: trace.statistics!, outputGradient: gradient,
                                                                  parallelism: parallelism)
                gradients[index] = .batchNormalization(parameters)
                gradient = input
            case .dense(let dense):
                var weights = Matrix(rows: dense.weights.rows, columns: dense.weights.columns)
                weights.multiplyAdd(gradient.values, trace.input.values, transposeA: .transposed)
                var bias = [Float](repeating: 0, count: dense.bias.count)
                gradient.values.columnSums(into: &bias)
                gradients[index] = .dense(DenseLayer(weights: weights, bias: bias))
                if needsInput { gradient = FeatureMaps(values: Matrix.product(gradient.values, dense.weights), shape: trace.input.shape) }
            case .relu, .relu6:
                ElementwiseLayers.clampGradient(&gradient, output: trace.output, ceiling: layers[index].ceiling)
            case .pooling(let pooling):
                if needsInput { gradient = pooling.backward(trace.input, outputGradient: gradient, parallelism: parallelism) }
            case .globalAveragePooling:
                gradient = ElementwiseLayers.globalAverageGradient(gradient, inputShape: trace.input.shape)
            case .flatten:
                gradient = FeatureMaps(values: gradient.values, shape: trace.input.shape)
            case .dropout:
                if let mask = trace.mask {
                    mask.withUnsafeBufferPointer { factors in
                        gradient.values.withUnsafeMutableBufferPointer { Kernels.multiplyElementwise(factors, into: $0) }
                    }
                }
            }
        }
        return (gradients, first == 0 && inputGradient ? gradient : nil)
    }
}
