import LinearAlgebra

/// The trained part of a graph cut off below a node, so it can train on the frozen part's
/// outputs computed once (fine-tuning the top layers or a new head over a fixed feature
/// extractor, when no augmentation changes the inputs between epochs).
public struct GraphHead: Sendable {
    /// The nodes from the cut on, reading the frozen values as its inputs.
    public var graph: Graph
    /// The values of the whole graph its inputs are, in order (graph inputs or frozen nodes' outputs).
    public let frontier: [Graph.Value]
    /// For each of its parameters, the parameter of the whole graph it is.
    public let parameterSources: [Int]
}

extension Graph {
    /// The nodes from `firstNode` on as a graph of their own: its inputs are the values they read
    /// from before the cut, its parameters the ones they read.
    /// - Throws: `GraphError` if the head cannot be built (it always can for a valid graph).
    public func head(from firstNode: Int) throws -> GraphHead {
        precondition((0...nodes.count).contains(firstNode), "Graph.head: node \(firstNode) of \(nodes.count)")
        var frontier: [Value] = [], frontierIndex: [Value: Int] = [:]
        var parameterIndex: [Int: Int] = [:], sources: [Int] = []
        var builderParameters: [Parameter] = []
        var headNodes: [Node] = []
        func mapped(_ value: Value) -> Value {
            switch value {
            case .node(let index) where index >= firstNode: return .node(index - firstNode)
            case .parameter(let index):
                if let mapped = parameterIndex[index] { return .parameter(mapped) }
                parameterIndex[index] = builderParameters.count
                builderParameters.append(parameters[index])
                sources.append(index)
                return .parameter(builderParameters.count - 1)
            default:
                if let position = frontierIndex[value] { return .input(position) }
                frontierIndex[value] = frontier.count
                frontier.append(value)
                return .input(frontier.count - 1)
            }
        }
        for node in nodes[firstNode...] { headNodes.append(Node(node.operation, inputs: node.inputs.map(mapped), name: node.name)) }
        let headOutputs = outputs.map(mapped)
        let headInputs = frontier.map { value -> Input in
            switch value {
            case .input(let index): return inputs[index]
            default:
                let shape = self.shape(of: value)
                let type: Tensor.ElementType = if case .node(let index) = value { nodeElementTypes[index] } else { .float32 }
                return Input(name: "frontier\(frontierIndex[value]!)", shape: [nil] + shape.dropFirst().map { $0 }, elementType: type)
            }
        }
        let graph = try Graph(inputs: headInputs, parameters: builderParameters, nodes: headNodes, outputs: headOutputs)
        return GraphHead(graph: graph, frontier: frontier, parameterSources: sources)
    }

    /// Copies the parameters of a trained `head` back into this graph.
    public mutating func absorb(_ head: GraphHead) {
        for (index, source) in head.parameterSources.enumerated() { setValue(head.graph.parameters[index].value, ofParameter: source) }
    }
}
