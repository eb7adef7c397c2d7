import LinearAlgebra
import NeuralNetworks

/// How a model file's header records one layer of a `SequentialNetwork`; the parameters are
/// tensors named `PREFIX.INDEX.weights`, `.bias`, `.scale`, `.shift`, `.running_mean`, `.running_variance`.
enum LayerRecord: Codable, Hashable {
    case convolution(geometry: WindowGeometry, groups: Int, inputChannels: Int, outputChannels: Int)
    case batchNormalization(channels: Int, epsilon: Float, momentum: Float)
    case dense(inputs: Int, outputs: Int)
    case relu, relu6, globalAveragePooling, flatten
    case pooling(Pooling2D)
    case dropout(rate: Float)
}

/// A network as a model file stores it: the input shape and layer records in the header, the
/// parameters as tensors.
struct NetworkRecord: Codable, Hashable {
    var inputShape: MapShape
    var layers: [LayerRecord]

    /// The record of `network`, and its parameter tensors named under `prefix`.
    init(_ network: SequentialNetwork, prefix: String, precision: TensorPrecision = .float32,
         into tensors: inout [String: TensorContainer.Tensor]) {
        inputShape = network.inputShape
        layers = network.layers.enumerated().map { index, layer in
            LayerRecord(layer, name: "\(prefix).\(index)", precision: precision, into: &tensors)
        }
    }

    /// The network, with every size, shape and tensor checked before anything is built.
    /// - Throws: `ModelFileError` naming the layer or tensor that does not fit.
    func network(tensors: [String: TensorContainer.Tensor], prefix: String, path: String) throws -> SequentialNetwork {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        guard (1...4096).contains(inputShape.channels), (1...4096).contains(inputShape.height), (1...4096).contains(inputShape.width),
              (1...256).contains(layers.count) else {
            throw fail("header: network input \(inputShape) or \(layers.count) layers out of range")
        }
        let built = try layers.enumerated().map { index, record in
            try record.layer(name: "\(prefix).\(index)", position: "layer \(index + 1)", tensors: tensors, path: path)
        }
        let network: SequentialNetwork
        do { network = try SequentialNetwork(layers: built, inputShape: inputShape) } catch {
            throw fail("header: the layers do not fit together: \(error)")
        }
        // Each example's maps are allocated per batch: refuse a network whose maps alone need gigabytes.
        guard network.shapes.allSatisfy({ $0.count <= 1 << 24 }) else { throw fail("header: a layer's output is too large") }
        return network
    }
}

/// The element type a model file stores weights in.
public enum TensorPrecision: String, Sendable, Hashable, Codable, CaseIterable {
    /// 32-bit floats: the weights exactly.
    case float32 = "f32"
    /// 16-bit floats: half the bytes, each weight rounded to 11 significant bits.
    case float16 = "f16"

    /// A tensor of `values` in this precision.
    func tensor(_ values: [Float], shape: [Int]) -> TensorContainer.Tensor {
        self == .float32 ? .init(floats: values, shape: shape) : .init(halfFloats: values, shape: shape)
    }
}

extension LayerRecord {
    /// The record of `layer`, its parameters added to `tensors` as `NAME.weights`, `.bias`, ….
    init(_ layer: NetworkLayer, name: String, precision: TensorPrecision, into tensors: inout [String: TensorContainer.Tensor]) {
        switch layer {
        case .convolution(let layer):
            tensors["\(name).weights"] = precision.tensor(layer.weights.withUnsafeBufferPointer { Array($0) },
                                                          shape: [layer.weights.rows, layer.weights.columns])
            tensors["\(name).bias"] = .init(floats: layer.bias, shape: [layer.bias.count])
            self = .convolution(geometry: layer.geometry, groups: layer.groups, inputChannels: layer.inputChannels,
                                outputChannels: layer.outputChannels)
        case .batchNormalization(let layer):
            for (part, values) in [("scale", layer.scale), ("shift", layer.shift), ("running_mean", layer.runningMean),
                                   ("running_variance", layer.runningVariance)] {
                tensors["\(name).\(part)"] = .init(floats: values, shape: [values.count])
            }
            self = .batchNormalization(channels: layer.channels, epsilon: layer.epsilon, momentum: layer.momentum)
        case .dense(let layer):
            tensors["\(name).weights"] = precision.tensor(layer.weights.withUnsafeBufferPointer { Array($0) },
                                                          shape: [layer.weights.rows, layer.weights.columns])
            tensors["\(name).bias"] = .init(floats: layer.bias, shape: [layer.bias.count])
            self = .dense(inputs: layer.weights.columns, outputs: layer.weights.rows)
        case .relu: self = .relu
        case .relu6: self = .relu6
        case .globalAveragePooling: self = .globalAveragePooling
        case .flatten: self = .flatten
        case .pooling(let layer): self = .pooling(layer)
        case .dropout(let rate): self = .dropout(rate: rate)
        }
    }

    /// The layer, its sizes and tensors checked first.
    /// - Throws: `ModelFileError` naming `position` or the tensor that does not fit.
    func layer(name: String, position: String, tensors: [String: TensorContainer.Tensor], path: String) throws -> NetworkLayer {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        func floats(_ tensorName: String, count: Int) throws -> [Float] {
            guard let tensor = tensors[tensorName] else { throw fail("tensor '\(tensorName)' is missing") }
            let values = try tensor.floats(in: path, name: tensorName)
            guard values.count == count else { throw fail("tensor '\(tensorName)' has \(values.count) values, the layer needs \(count)") }
            return values
        }
        let limit = 1 << 16
        switch self {
        case .convolution(let geometry, let groups, let inputs, let outputs):
            let sizes = [geometry.kernelHeight, geometry.kernelWidth, geometry.strideY, geometry.strideX, geometry.dilationY, geometry.dilationX]
            let pads = [geometry.padTop, geometry.padBottom, geometry.padLeft, geometry.padRight]
            guard sizes.allSatisfy({ (1...64).contains($0) }), pads.allSatisfy({ (0...64).contains($0) }),
                  (1...limit).contains(inputs), (1...limit).contains(outputs), groups >= 1, inputs % groups == 0, outputs % groups == 0 else {
                throw fail("header: \(position) is a convolution with an invalid window or channel counts")
            }
            let columns = inputs / groups * geometry.kernelHeight * geometry.kernelWidth
            let weights = try floats("\(name).weights", count: outputs * columns)
            return .convolution(Convolution2D(weights: Matrix(rows: outputs, columns: columns, elements: weights),
                                              bias: try floats("\(name).bias", count: outputs), inputChannels: inputs,
                                              geometry: geometry, groups: groups))
        case .batchNormalization(let channels, let epsilon, let momentum):
            guard (1...limit).contains(channels), epsilon > 0, epsilon < 1, momentum >= 0, momentum <= 1 else {
                throw fail("header: \(position) is a batch normalisation with invalid settings")
            }
            let variance = try floats("\(name).running_variance", count: channels)
            guard variance.allSatisfy({ $0 >= 0 && $0.isFinite }) else { throw fail("tensor '\(name).running_variance' has a negative or non-finite value") }
            return .batchNormalization(BatchNormalization(
                scale: try floats("\(name).scale", count: channels), shift: try floats("\(name).shift", count: channels),
                runningMean: try floats("\(name).running_mean", count: channels), runningVariance: variance,
                epsilon: epsilon, momentum: momentum))
        case .dense(let inputs, let outputs):
            guard (1...(1 << 24)).contains(inputs), (1...limit).contains(outputs) else {
                throw fail("header: \(position) is a dense layer of invalid size")
            }
            let weights = try floats("\(name).weights", count: inputs * outputs)
            return .dense(DenseLayer(weights: Matrix(rows: outputs, columns: inputs, elements: weights),
                                     bias: try floats("\(name).bias", count: outputs)))
        case .pooling(let pooling):
            let geometry = pooling.geometry
            guard [geometry.kernelHeight, geometry.kernelWidth, geometry.strideY, geometry.strideX, geometry.dilationY,
                   geometry.dilationX].allSatisfy({ (1...64).contains($0) }),
                  [geometry.padTop, geometry.padBottom, geometry.padLeft, geometry.padRight].allSatisfy({ (0...64).contains($0) }) else {
                throw fail("header: \(position) is a pooling layer with an invalid window")
            }
            return .pooling(pooling)
        case .dropout(let rate):
            guard rate >= 0, rate < 1 else { throw fail("header: \(position) has a dropout rate of \(rate)") }
            return .dropout(rate: rate)
        case .relu: return .relu
        case .relu6: return .relu6
        case .globalAveragePooling: return .globalAveragePooling
        case .flatten: return .flatten
        }
    }
}
