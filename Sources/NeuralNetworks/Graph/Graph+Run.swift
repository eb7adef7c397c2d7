import LinearAlgebra

extension Graph {
    /// Runs the graph for prediction (batch normalisation by running statistics, no dropout) and
    /// returns the values `requested` (the graph's outputs by default). Only the nodes those
    /// values need run; each intermediate value is released after its last reader.
    /// - Parameters:
    ///   - feeds: one tensor per graph input, in order.
    ///   - requested: the values to return.
    ///   - parallelism: the threads each operation may use.
    /// - Throws: `GraphError` for feeds that do not fit the inputs, or a node that cannot take
    ///   what it is given (an id outside its table).
    public func run(_ feeds: [Tensor], outputs requested: [Value]? = nil, parallelism: Parallelism = .available) throws -> [Tensor] {
        let wanted = requested ?? outputs
        try checkFeeds(feeds)
        let needed = nodesNeeded(for: wanted)
        var lastUse = [Int](repeating: -1, count: nodes.count)
        for index in needed.indices where needed[index] {
            for case .node(let producer) in nodes[index].inputs { lastUse[producer] = index }
        }
        for case .node(let index) in wanted { lastUse[index] = Int.max }
        var values = [Tensor?](repeating: nil, count: nodes.count)
        for index in nodes.indices where needed[index] {
            let node = nodes[index]
            let inputs = node.inputs.map { value(of: $0, feeds: feeds, computed: values) }
            var context = ForwardContext(mode: .inference, parallelism: parallelism, generator: SplitMix64(seed: 0))
            values[index] = try evaluate(index, inputs, context: &context)
            for case .node(let producer) in node.inputs where lastUse[producer] == index { values[producer] = nil }
        }
        return wanted.map { value(of: $0, feeds: feeds, computed: values) }
    }

    /// Checks the feeds against the inputs: count, element type, rank and fixed dimensions.
    func checkFeeds(_ feeds: [Tensor]) throws {
        guard feeds.count == inputs.count else { throw GraphError(node: nil, "\(feeds.count) inputs given, the graph takes \(inputs.count)") }
        for (feed, input) in zip(feeds, inputs) {
            guard feed.elementType == input.elementType, feed.rank == input.shape.count,
                  zip(feed.shape, input.shape).allSatisfy({ $1 == nil || $0 == $1 }) else {
                throw GraphError(node: nil, "input '\(input.name)' is \(feed), the graph takes \(input.elementType) "
                    + input.shape.map { $0.map(String.init) ?? "?" }.joined(separator: "×"))
            }
        }
    }

    /// Which nodes the values `wanted` depend on.
    func nodesNeeded(for wanted: [Value]) -> [Bool] {
        var needed = [Bool](repeating: false, count: nodes.count)
        for case .node(let index) in wanted { needed[index] = true }
        for index in nodes.indices.reversed() where needed[index] {
            for case .node(let producer) in nodes[index].inputs { needed[producer] = true }
        }
        return needed
    }

    /// The tensor of `value`.
    func value(of value: Value, feeds: [Tensor], computed: [Tensor?]) -> Tensor {
        switch value {
        case .input(let index): return feeds[index]
        case .parameter(let index): return parameters[index].value
        case .node(let index):
            guard let tensor = computed[index] else { preconditionFailure("Graph: node \(index)'s output was released before its last use") }
            return tensor
        }
    }

    /// Runs node `index` on `inputs` after checking their shapes; errors name the node.
    func evaluate(_ index: Int, _ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let node = nodes[index]
        do {
            let shape = try node.operation.outputShape(for: inputs.map(\.shape), elementTypes: inputs.map(\.elementType))
            guard let count = Tensor.elementCount(of: shape), count <= Self.maximumElementCount * 64 else {
                throw OperationError("the output \(shape) is too large")
            }
            let output = try node.operation.forward(inputs, context: &context)
            precondition(output.shape == shape, "\(node.operation.typeName): output \(output.shape), expected \(shape)")
            return output
        } catch let error as OperationError {
            throw GraphError(node: GraphError.Place(index: index, node: node), error.message)
        }
    }
}
