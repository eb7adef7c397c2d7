import LinearAlgebra
import NeuralNetworks

/// How a model file stores a graph: its inputs, parameters (name, kind, shape), nodes (operation
/// name, attributes, inputs) and outputs in the header, each parameter's values as a tensor
/// named `PREFIX.NAME`. Reading checks every count, shape and value before anything is built.
struct GraphRecord: Codable, Hashable {
    struct ParameterRecord: Codable, Hashable {
        var name: String
        var kind: Graph.Parameter.Kind
        var shape: [Int]
        var elementType: Tensor.ElementType
        /// Whether the values come from outside the file (a pre-trained model it refers to) instead
        /// of a tensor (nil: a tensor).
        var external: Bool?
    }

    struct NodeRecord: Codable, Hashable {
        var operation: String
        var attributes: OperationAttributes
        var inputs: [Graph.Value]
        var name: String
    }

    var inputs: [Graph.Input]
    var parameters: [ParameterRecord]
    var nodes: [NodeRecord]
    var outputs: [Graph.Value]

    /// The record of `graph`, its parameters that `stores` accepts added to `tensors` under
    /// `prefix` (weights of rank 2 or more in `precision`, everything else as float32 or int32), the
    /// others marked external.
    init(_ graph: Graph, prefix: String, precision: TensorPrecision, into tensors: inout [String: TensorContainer.Tensor],
         stores: (Graph.Parameter) -> Bool = { _ in true }) {
        inputs = graph.inputs
        outputs = graph.outputs
        parameters = graph.parameters.map { parameter in
            let value = parameter.value
            guard stores(parameter) else {
                return ParameterRecord(name: parameter.name, kind: parameter.kind, shape: value.shape, elementType: value.elementType, external: true)
            }
            switch value.elementType {
            case .int32: tensors["\(prefix).\(parameter.name)"] = .init(integers: value.integers)
            case .float32:
                let compact = parameter.kind == .weight && value.rank >= 2 ? precision : .float32
                tensors["\(prefix).\(parameter.name)"] = compact.tensor(value.scalars, shape: value.shape)
            }
            return ParameterRecord(name: parameter.name, kind: parameter.kind, shape: value.shape, elementType: value.elementType)
        }
        nodes = graph.nodes.map { NodeRecord(operation: $0.operation.typeName, attributes: $0.operation.attributes, inputs: $0.inputs, name: $0.name) }
    }

    /// The graph, every size, tensor and node checked first; external parameters are taken from
    /// `external` by name.
    /// - Throws: `ModelFileError` naming the node, parameter or tensor that does not fit.
    func graph(tensors: [String: TensorContainer.Tensor], prefix: String, path: String, external: [String: Tensor] = [:]) throws -> Graph {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        guard (1...16).contains(inputs.count), (1...100_000).contains(nodes.count), parameters.count <= 100_000, (1...16).contains(outputs.count) else {
            throw fail("header: \(inputs.count) inputs, \(nodes.count) nodes, \(parameters.count) parameters or \(outputs.count) outputs out of range")
        }
        let values = try parameters.map { record -> Graph.Parameter in
            let tensorName = "\(prefix).\(record.name)"
            guard let count = Tensor.elementCount(of: record.shape), count <= Graph.maximumElementCount, record.shape.count <= 8 else {
                throw fail("header: parameter '\(record.name)' has shape \(record.shape)")
            }
            if record.external == true {
                guard let value = external[record.name], value.shape == record.shape, value.elementType == record.elementType else {
                    throw fail("parameter '\(record.name)' (\(record.shape)) is not in the pre-trained model the file refers to")
                }
                return Graph.Parameter(name: record.name, value: value, kind: record.kind)
            }
            guard let tensor = tensors[tensorName] else { throw fail("tensor '\(tensorName)' is missing") }
            let value: Tensor
            switch record.elementType {
            case .int32:
                let integers = try tensor.integers(in: path, name: tensorName)
                guard integers.count == count else { throw fail("tensor '\(tensorName)' has \(integers.count) values, the parameter needs \(count)") }
                value = Tensor(shape: record.shape, integers: integers)
            case .float32:
                let floats = try tensor.floats(in: path, name: tensorName)
                guard floats.count == count else { throw fail("tensor '\(tensorName)' has \(floats.count) values, the parameter needs \(count)") }
                guard floats.allSatisfy(\.isFinite) else { throw fail("tensor '\(tensorName)' holds a NaN or infinite value") }
                value = Tensor(shape: record.shape, elements: floats)
            }
            return Graph.Parameter(name: record.name, value: value, kind: record.kind)
        }
        let built = try nodes.enumerated().map { index, record -> Graph.Node in
            do {
                return Graph.Node(try OperationRegistry.operation(named: record.operation, attributes: record.attributes), inputs: record.inputs,
                                  name: record.name)
            } catch {
                throw fail("header: node \(index + 1) '\(record.name)': \(error)")
            }
        }
        do {
            return try Graph(inputs: inputs, parameters: values, nodes: built, outputs: outputs)
        } catch {
            throw fail("header: the graph does not fit together: \(error)")
        }
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
