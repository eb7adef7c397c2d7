import LinearAlgebra

/// Builds a graph node by node: the small builders of the networks the toolkit trains (an MLP
/// head, the small ConvNet, the bag classifier) and new layers on top of a pre-trained graph.
public struct GraphBuilder: Sendable {
    /// The inputs so far.
    public private(set) var inputs: [Graph.Input]
    /// The parameters so far.
    public private(set) var parameters: [Graph.Parameter]
    /// The nodes so far.
    public private(set) var nodes: [Graph.Node]

    /// A builder of a graph with these inputs.
    public init(inputs: [Graph.Input]) {
        self.inputs = inputs
        parameters = []
        nodes = []
    }

    /// A builder that continues `graph`: its inputs, parameters and nodes, to add more after them.
    public init(continuing graph: Graph) {
        inputs = graph.inputs
        parameters = graph.parameters
        nodes = graph.nodes
    }

    /// A builder that continues `graph` up to node `count` (exclusive): the nodes after it and the
    /// parameters only they read are left out.
    /// - Precondition: `count` is at most the node count.
    public init(continuing graph: Graph, keepingNodes count: Int) {
        precondition(count <= graph.nodes.count, "GraphBuilder: \(count) nodes of \(graph.nodes.count)")
        var used = [Int?](repeating: nil, count: graph.parameters.count), kept: [Graph.Parameter] = []
        var nodes: [Graph.Node] = []
        for node in graph.nodes.prefix(count) {
            let inputs = node.inputs.map { value -> Graph.Value in
                guard case .parameter(let index) = value else { return value }
                if used[index] == nil {
                    used[index] = kept.count
                    kept.append(graph.parameters[index])
                }
                return .parameter(used[index]!)
            }
            nodes.append(Graph.Node(node.operation, inputs: inputs, name: node.name))
        }
        self.inputs = graph.inputs
        parameters = kept
        self.nodes = nodes
    }

    /// Adds a parameter; returns the value that reads it.
    /// - Precondition: the name is not taken.
    public mutating func parameter(_ name: String, _ value: Tensor, kind: Graph.Parameter.Kind = .weight) -> Graph.Value {
        precondition(!parameters.contains { $0.name == name }, "GraphBuilder: parameter '\(name)' exists")
        parameters.append(Graph.Parameter(name: name, value: value, kind: kind))
        return .parameter(parameters.count - 1)
    }

    /// Adds a node computing `operation` from `inputs`; returns its output.
    public mutating func node(_ operation: any Operation, _ inputs: [Graph.Value], name: String = "") -> Graph.Value {
        nodes.append(Graph.Node(operation, inputs: inputs, name: name))
        return .node(nodes.count - 1)
    }

    /// The graph, checked.
    /// - Throws: `GraphError` as `Graph.init` does.
    public func graph(outputs: [Graph.Value]) throws -> Graph {
        try Graph(inputs: inputs, parameters: parameters, nodes: nodes, outputs: outputs)
    }

    /// Adds every parameter and node of `graph` (parameter names prefixed by `prefix`), its
    /// inputs read from `inputs`; returns the values of its outputs.
    /// - Precondition: one value per input of `graph`, and no parameter name taken.
    public mutating func append(_ graph: Graph, inputs feeds: [Graph.Value], prefix: String = "") -> [Graph.Value] {
        precondition(feeds.count == graph.inputs.count, "GraphBuilder.append: \(feeds.count) values for \(graph.inputs.count) inputs")
        let parameterValues = graph.parameters.map { parameter(prefix + $0.name, $0.value, kind: $0.kind) }
        let firstNode = nodes.count
        func mapped(_ value: Graph.Value) -> Graph.Value {
            switch value {
            case .input(let index): feeds[index]
            case .parameter(let index): parameterValues[index]
            case .node(let index): .node(firstNode + index)
            }
        }
        for node in graph.nodes { nodes.append(Graph.Node(node.operation, inputs: node.inputs.map(mapped), name: node.name)) }
        return graph.outputs.map(mapped)
    }

    /// Adds a dense layer `x · Wᵀ + b` of `outputs` units over `inputs` features (weights drawn
    /// from `initializer` with fan-in `inputs`, biases 0), named `name.weight` and `name.bias`.
    public mutating func dense<G: RandomNumberGenerator>(_ x: Graph.Value, inputs: Int, outputs: Int, initializer: Initializer,
                                                         name: String, using generator: inout G) -> Graph.Value {
        let weights = Matrix(rows: outputs, columns: inputs, initializer: initializer, using: &generator)
        return dense(x, weights: Tensor(weights), bias: Tensor(zeros: [outputs]), name: name)
    }

    /// Adds a new classifier head over `x` (N × `inputs`): dropout, then per hidden layer dense
    /// (He-normal) + ReLU + dropout, then the class scores (Glorot-uniform), named `head.…`.
    /// Returns the scores' value.
    public mutating func classifierHead<G: RandomNumberGenerator>(_ x: Graph.Value, inputs: Int, hiddenLayers: [Int], classes: Int,
                                                                  dropout: Float, using generator: inout G) -> Graph.Value {
        var value = node(Dropout(ratio: dropout), [x], name: "head.dropout0"), width = inputs
        for (index, size) in hiddenLayers.enumerated() {
            value = dense(value, inputs: width, outputs: size, initializer: .heNormal, name: "head.dense\(index + 1)", using: &generator)
            value = node(Relu(), [value], name: "head.relu\(index + 1)")
            value = node(Dropout(ratio: dropout), [value], name: "head.dropout\(index + 1)")
            width = size
        }
        return dense(value, inputs: width, outputs: classes, initializer: .glorotUniform, name: "head.classifier", using: &generator)
    }

    /// Adds a dense layer with these weights (outputs × inputs) and bias.
    public mutating func dense(_ x: Graph.Value, weights: Tensor, bias: Tensor, name: String) -> Graph.Value {
        let w = parameter("\(name).weight", weights), b = parameter("\(name).bias", bias)
        return node(Gemm(), [x, w, b], name: name)
    }
}
