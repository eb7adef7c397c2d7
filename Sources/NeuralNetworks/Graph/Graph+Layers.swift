/// One node of a graph as `embkit info --layers` lists it: what `--layer` and `--trainable from`
/// take (its name or its number).
public struct LayerSummary: Sendable, Hashable {
    /// Its number, from 1 in the graph's order.
    public let number: Int
    /// Its name (the ONNX node's name, or its output's when the node had none).
    public let name: String
    /// The operation, by its ONNX name.
    public let operation: String
    /// The shape of its output for one example (without the batch dimension).
    public let shape: [Int]
    /// The number of trainable values it reads (weights, not running statistics).
    public let weightCount: Int
}

extension Graph {
    /// Every node in order, with its output shape and the weights it reads.
    public var layerSummaries: [LayerSummary] {
        nodes.indices.map { index in
            let weights = nodes[index].inputs.reduce(0) { sum, input in
                guard case .parameter(let parameter) = input, parameters[parameter].kind == .weight else { return sum }
                return sum + parameters[parameter].value.count
            }
            return LayerSummary(number: index + 1, name: nodes[index].name, operation: nodes[index].operation.typeName,
                                shape: Array(shape(of: .node(index)).dropFirst()), weightCount: weights)
        }
    }
}
