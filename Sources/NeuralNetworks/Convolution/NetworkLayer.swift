import LinearAlgebra

/// One layer of a `SequentialNetwork`.
public enum NetworkLayer: Sendable {
    /// A 2-D convolution.
    case convolution(Convolution2D)
    /// Batch normalisation per channel.
    case batchNormalization(BatchNormalization)
    /// A fully connected layer over the flattened input.
    case dense(DenseLayer)
    /// max(0, x).
    case relu
    /// min(max(0, x), 6), as MobileNets use.
    case relu6
    /// Max or average pooling.
    case pooling(Pooling2D)
    /// The mean of each map: C × H × W → C × 1 × 1.
    case globalAveragePooling
    /// C × H × W → (C·H·W) × 1 × 1, the values unchanged.
    case flatten
    /// Inverted dropout of this share of the values in training; nothing in inference.
    case dropout(rate: Float)

    /// The output shape for `input`, or nil when the layer cannot take it.
    public func outputShape(for input: MapShape) -> MapShape? {
        switch self {
        case .convolution(let layer): return layer.outputShape(for: input)
        case .batchNormalization(let layer): return layer.channels == input.channels ? input : nil
        case .dense(let layer): return layer.weights.columns == input.count ? MapShape(features: layer.weights.rows) : nil
        case .relu, .relu6, .dropout: return input
        case .pooling(let layer): return layer.outputShape(for: input)
        case .globalAveragePooling: return MapShape(features: input.channels)
        case .flatten: return MapShape(features: input.count)
        }
    }

    /// A short name with the shape-defining sizes, e.g. `conv 3×3 32`.
    public var summary: String {
        switch self {
        case .convolution(let layer): "conv \(layer.geometry.kernelHeight)×\(layer.geometry.kernelWidth) \(layer.outputChannels)"
            + (layer.geometry.strideY > 1 ? " /\(layer.geometry.strideY)" : "") + (layer.groups > 1 ? " groups \(layer.groups)" : "")
        case .batchNormalization: "batch-norm"
        case .dense(let layer): "dense \(layer.weights.rows)"
        case .relu: "relu"
        case .relu6: "relu6"
        case .pooling(let layer): "\(layer.kind.rawValue)-pool \(layer.geometry.kernelHeight)×\(layer.geometry.kernelWidth)"
        case .globalAveragePooling: "global-average-pool"
        case .flatten: "flatten"
        case .dropout(let rate): "dropout \(rate)"
        }
    }

    /// Whether the layer has trainable parameters.
    public var hasParameters: Bool {
        switch self {
        case .convolution, .batchNormalization, .dense: true
        default: false
        }
    }

    /// The layer with every parameter 0 (a gradient or optimizer moment).
    public var zeroed: NetworkLayer {
        switch self {
        case .convolution(let layer): .convolution(Convolution2D(zeroLike: layer))
        case .batchNormalization(let layer): .batchNormalization(BatchNormalization(zeroLike: layer))
        case .dense(let layer): .dense(DenseLayer(weights: Matrix(rows: layer.weights.rows, columns: layer.weights.columns),
                                                  bias: [Float](repeating: 0, count: layer.bias.count)))
        default: self
        }
    }
}

extension NetworkLayer: ParameterBuffers {
    /// The parameter buffers of the wrapped layer (none for the layers without parameters).
    public mutating func withParameterBuffers<R>(_ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R) rethrows -> R {
        switch self {
        case .convolution(var layer):
            defer { self = .convolution(layer) }
            return try layer.withParameterBuffers(body)
        case .batchNormalization(var layer):
            defer { self = .batchNormalization(layer) }
            return try layer.withParameterBuffers(body)
        case .dense(var layer):
            defer { self = .dense(layer) }
            return try layer.withParameterBuffers(body)
        default:
            return try body([])
        }
    }
}
