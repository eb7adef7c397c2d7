import LinearAlgebra

/// The builder of the bag-of-embeddings classifier graph — ids and bag starts → `EmbeddingBag`
/// → dense layers with ReLU between → class scores (fastText's supervised model when there is
/// one layer and the pre-trained rows train) — and where its parts sit in such a graph.
public struct BagClassifier: Sendable {
    /// The bag node's operation.
    public let bag: EmbeddingBag
    /// The parameter of the pre-trained rows when they train (nil when they are frozen rows of the bag).
    public let baseTable: Int?
    /// The parameter of the rows added for the task.
    public let addedTable: Int
    /// Each dense layer's weight (outputs × inputs) and bias parameters, input side first.
    public let layers: [(weights: Int, bias: Int)]

    /// The parts of `graph`, checked to have the form the builder makes.
    /// - Throws: `GraphError` when it has another form.
    public init(_ graph: Graph) throws {
        func fail() -> GraphError { GraphError(node: nil, "not a bag classifier: ids, starts → EmbeddingBag → dense layers with ReLU between") }
        guard graph.inputs.count == 2, let bag = graph.nodes.first?.operation as? EmbeddingBag else { throw fail() }
        let tables = graph.nodes[0].inputs.dropFirst(2).compactMap { value -> Int? in if case .parameter(let index) = value { index } else { nil } }
        guard tables.count == graph.nodes[0].inputs.count - 2, (bag.frozenRows == nil ? 2 : 1) == tables.count else { throw fail() }
        var layers: [(Int, Int)] = []
        for (index, node) in graph.nodes.enumerated().dropFirst() {
            let isDense = (index - 1) % 2 == 0
            if isDense {
                guard let gemm = node.operation as? Gemm, gemm.transposesWeights, gemm.alpha == 1, gemm.beta == 1, node.inputs.count == 3,
                      node.inputs[0] == .node(index - 1), case .parameter(let weights) = node.inputs[1], case .parameter(let bias) = node.inputs[2]
                else { throw fail() }
                layers.append((weights, bias))
            } else {
                guard node.operation is Relu, node.inputs == [.node(index - 1)] else { throw fail() }
            }
        }
        guard !layers.isEmpty, graph.nodes.count == 2 * layers.count, graph.outputs == [.node(graph.nodes.count - 1)] else { throw fail() }
        self.bag = bag
        baseTable = bag.frozenRows == nil ? tables[0] : nil
        addedTable = tables.last!
        self.layers = layers
    }

    /// A new classifier graph over the bag's rows with `hidden` ReLU layers (Glorot-initialised)
    /// and an output layer of zeros, as fastText starts its output matrix.
    /// - Parameters:
    ///   - frozen: pre-trained rows that stay as they are (nil when they train, as `trainableBase`).
    ///   - trainableBase: pre-trained rows that train (nil when frozen).
    ///   - added: the rows added for the task.
    ///   - pooling: how a bag's rows combine.
    ///   - hidden: the hidden layer sizes.
    ///   - classCount: the number of classes.
    ///   - generator: draws the hidden layers' weights.
    /// - Precondition: exactly one of `frozen` and `trainableBase`, at least two classes, positive hidden sizes.
    public static func graph<G: RandomNumberGenerator>(frozen: FrozenRows?, trainableBase: Tensor?, added: Tensor, pooling: EmbeddingBag.Pooling,
                                                       hidden: [Int], classCount: Int, using generator: inout G) -> Graph {
        precondition(classCount >= 2 && hidden.allSatisfy { $0 > 0 }, "BagClassifier: \(hidden) → \(classCount)")
        let dimensions = added.shape[1], width = pooling == .meanAndMax ? 2 * dimensions : dimensions
        let sizes = [width] + hidden + [classCount]
        let layers = (1..<sizes.count).map { index in
            (weights: Tensor(Matrix(rows: sizes[index], columns: sizes[index - 1], initializer: index == sizes.count - 1 ? .zeros : .glorotUniform,
                                    using: &generator)), bias: Tensor(zeros: [sizes[index]]))
        }
        return graph(frozen: frozen, trainableBase: trainableBase, added: added, pooling: pooling, layers: layers)
    }

    /// A classifier graph from its parts (as a model file restores it).
    /// - Precondition: exactly one of `frozen` and `trainableBase`, rows of one width, and layers that chain from the bag's width.
    public static func graph(frozen: FrozenRows?, trainableBase: Tensor?, added: Tensor, pooling: EmbeddingBag.Pooling,
                             layers: [(weights: Tensor, bias: Tensor)]) -> Graph {
        precondition((frozen == nil) != (trainableBase == nil) && !layers.isEmpty, "BagClassifier: one base, one or more layers")
        var builder = GraphBuilder(inputs: [Graph.Input(name: "ids", shape: [nil], elementType: .int32),
                                            Graph.Input(name: "starts", shape: [nil], elementType: .int32)])
        let tables = (trainableBase.map { [builder.parameter("bag.base", $0)] } ?? []) + [builder.parameter("bag.added", added)]
        var value = builder.node(EmbeddingBag(pooling: pooling, frozenRows: frozen), [.input(0), .input(1)] + tables, name: "bag")
        for (index, layer) in layers.enumerated() {
            if index > 0 { value = builder.node(Relu(), [value], name: "relu\(index)") }
            value = builder.dense(value, weights: layer.weights, bias: layer.bias, name: "dense\(index + 1)")
        }
        guard let graph = try? builder.graph(outputs: [value]) else { preconditionFailure("BagClassifier: the parts do not chain") }
        return graph
    }

    /// The ids and bag starts of `examples` as the graph's inputs.
    public static func inputs(_ examples: BagExamples) -> [Tensor] {
        [Tensor(shape: [examples.ids.count], integers: examples.ids), Tensor(shape: [examples.count], integers: examples.offsets.dropLast().map(Int32.init))]
    }
}

extension Graph {
    /// The mean loss and the accuracy of a bag classifier on `examples` (the most probable class
    /// is one of the example's classes).
    /// - Throws: `GraphError` when the graph cannot run on them.
    public func scoreBags(_ examples: BagExamples, loss: OutputLoss) throws -> ValidationScore {
        var probabilities = try run(BagClassifier.inputs(examples))[0]
        let classes = probabilities.shape[1]
        var total = 0.0, correct = 0
        probabilities.withUnsafeMutableBufferPointer { values in
            for row in 0..<examples.count {
                let scores = UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])
                loss.probabilities(scores)
                let truth = examples.classes(of: row)
                total += loss.loss(UnsafeBufferPointer(scores), classes: truth)
                if let best = Kernels.argmax(UnsafeBufferPointer(scores)), truth.contains(best) { correct += 1 }
            }
        }
        return ValidationScore(loss: total / Double(max(1, examples.count)), accuracy: Double(correct) / Double(max(1, examples.count)))
    }
}
