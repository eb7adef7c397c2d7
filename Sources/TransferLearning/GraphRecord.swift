import LinearAlgebra
import NeuralNetworks

/// How a model file's header records one operation of a `GraphNetwork` (layer parameters and
/// scale/shift constants are tensors named `PREFIX.INDEX.…`).
enum GraphOperationRecord: Codable, Hashable {
    case layer(LayerRecord)
    case clamp(lower: Float?, upper: Float?)
    case sigmoid, hardSwish, add, multiply, concatenate, softmax
    case hardSigmoid(alpha: Float, beta: Float)
    case scaleShift(scaleCount: Int, shiftCount: Int)
    case pad(top: Int, bottom: Int, left: Int, right: Int, value: Float)
    case reshape(MapShape)
}

/// One node as a model file stores it. Infinite clamp bounds are stored as absent (JSON has no infinity).
struct GraphNodeRecord: Codable, Hashable {
    var operation: GraphOperationRecord
    var inputs: [Int]
    var clampLower: Float?
    var clampUpper: Float?
    var clamped: Bool
    var name: String
}

/// A graph network as a model file stores it: the input shape, the nodes and the output value in
/// the header, the parameters as tensors.
struct GraphRecord: Codable, Hashable {
    var inputShape: MapShape
    var nodes: [GraphNodeRecord]
    var output: Int

    /// The record of `network`, its parameters added to `tensors` under `prefix` in `precision`.
    init(_ network: GraphNetwork, prefix: String, precision: TensorPrecision, into tensors: inout [String: TensorContainer.Tensor]) {
        inputShape = network.inputShape
        output = network.output
        nodes = network.nodes.enumerated().map { index, node in
            let name = "\(prefix).\(index)"
            let operation: GraphOperationRecord
            switch node.operation {
            case .layer(let layer): operation = .layer(LayerRecord(layer, name: name, precision: precision, into: &tensors))
            case .clamp(let lower, let upper): operation = .clamp(lower: lower.isFinite ? lower : nil, upper: upper.isFinite ? upper : nil)
            case .sigmoid: operation = .sigmoid
            case .hardSwish: operation = .hardSwish
            case .add: operation = .add
            case .multiply: operation = .multiply
            case .concatenate: operation = .concatenate
            case .softmax: operation = .softmax
            case .hardSigmoid(let alpha, let beta): operation = .hardSigmoid(alpha: alpha, beta: beta)
            case .scaleShift(let scale, let shift):
                tensors["\(name).scale"] = .init(floats: scale, shape: [scale.count])
                tensors["\(name).shift"] = .init(floats: shift, shape: [shift.count])
                operation = .scaleShift(scaleCount: scale.count, shiftCount: shift.count)
            case .pad(let top, let bottom, let left, let right, let value):
                operation = .pad(top: top, bottom: bottom, left: left, right: right, value: value)
            case .reshape(let shape): operation = .reshape(shape)
            }
            let clamp = node.clamp
            return GraphNodeRecord(operation: operation, inputs: node.inputs,
                                   clampLower: clamp.flatMap { $0.lowerBound.isFinite ? $0.lowerBound : nil },
                                   clampUpper: clamp.flatMap { $0.upperBound.isFinite ? $0.upperBound : nil },
                                   clamped: clamp != nil, name: node.name)
        }
    }

    /// The network, every node's sizes and tensors checked before anything is built.
    /// - Throws: `ModelFileError` naming the node or tensor that does not fit.
    func network(tensors: [String: TensorContainer.Tensor], prefix: String, path: String) throws -> GraphNetwork {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        guard (1...4096).contains(inputShape.channels), (1...4096).contains(inputShape.height), (1...4096).contains(inputShape.width),
              (1...4096).contains(nodes.count) else {
            throw fail("header: network input \(inputShape) or \(nodes.count) nodes out of range")
        }
        let built = try nodes.enumerated().map { index, record -> GraphNetwork.Node in
            let name = "\(prefix).\(index)", position = "node \(index + 1) (\(record.name))"
            let operation: GraphOperation
            switch record.operation {
            case .layer(let layer): operation = .layer(try layer.layer(name: name, position: position, tensors: tensors, path: path))
            case .clamp(let lower, let upper):
                guard (lower ?? -.infinity) <= (upper ?? .infinity) else { throw fail("header: \(position) clamps to an empty range") }
                operation = .clamp(lower: lower ?? -.infinity, upper: upper ?? .infinity)
            case .sigmoid: operation = .sigmoid
            case .hardSwish: operation = .hardSwish
            case .add: operation = .add
            case .multiply: operation = .multiply
            case .concatenate: operation = .concatenate
            case .softmax: operation = .softmax
            case .hardSigmoid(let alpha, let beta): operation = .hardSigmoid(alpha: alpha, beta: beta)
            case .scaleShift(let scaleCount, let shiftCount):
                guard (1...(1 << 16)).contains(scaleCount), (1...(1 << 16)).contains(shiftCount) else { throw fail("header: \(position) has bad sizes") }
                let scale = try tensors["\(name).scale"].map { try $0.floats(in: path, name: "\(name).scale") } ?? []
                let shift = try tensors["\(name).shift"].map { try $0.floats(in: path, name: "\(name).shift") } ?? []
                guard scale.count == scaleCount, shift.count == shiftCount else { throw fail("tensors of \(position) are missing or of the wrong size") }
                operation = .scaleShift(scale: scale, shift: shift)
            case .pad(let top, let bottom, let left, let right, let value):
                guard [top, bottom, left, right].allSatisfy({ (0...1024).contains($0) }), value.isFinite else {
                    throw fail("header: \(position) pads by an invalid amount")
                }
                operation = .pad(top: top, bottom: bottom, left: left, right: right, value: value)
            case .reshape(let shape):
                guard shape.channels > 0, shape.height > 0, shape.width > 0, shape.count <= 1 << 24 else { throw fail("header: \(position) reshapes to \(shape)") }
                operation = .reshape(shape)
            }
            let (lower, upper) = (record.clampLower ?? -.infinity, record.clampUpper ?? .infinity)
            guard !record.clamped || lower <= upper else { throw fail("header: \(position) clamps to an empty range") }
            let clamp: ClosedRange<Float>? = record.clamped ? lower...upper : nil
            return GraphNetwork.Node(operation, inputs: record.inputs, clamp: clamp, name: record.name)
        }
        let network: GraphNetwork
        do { network = try GraphNetwork(nodes: built, inputShape: inputShape, output: output) } catch {
            throw fail("header: the nodes do not fit together: \(error)")
        }
        guard network.shapes.allSatisfy({ $0.count <= 1 << 24 }) else { throw fail("header: a node's output is too large") }
        return network
    }
}
