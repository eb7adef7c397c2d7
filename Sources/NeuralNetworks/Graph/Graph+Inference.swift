import LinearAlgebra

extension Graph {
    /// The graph rewritten for prediction, computing the same outputs faster: batch normalisation
    /// by running statistics folded into the convolution before it, a `Relu` or `Clip` after a
    /// convolution fused into it, single-group convolution filters packed once for the matrix
    /// product, and `x · Sigmoid(x)` computed as one `SiLU`. Node indices stay as they are (a folded node becomes an `Identity` of the node it
    /// was folded into), so every value keeps its meaning except the outputs of convolutions that
    /// absorbed what followed them; values in `keeping` are never absorbed.
    public func optimizedForInference(keeping: Set<Value> = []) -> Graph {
        var nodes = self.nodes, parameters = self.parameters
        let protected = keeping.union(outputs)
        var absorbed = Set<Int>()
        /// The nodes that read node `index`, apart from the identities left where nodes were absorbed.
        func consumers(of index: Int) -> [Int] {
            nodes.indices.filter { consumer in !absorbed.contains(consumer) && nodes[consumer].inputs.contains(.node(index)) }
        }
        /// Rewires every reader of node `from` to node `to` and makes `from` an identity of `to`.
        func absorb(_ from: Int, into to: Int) {
            for consumer in consumers(of: from) {
                nodes[consumer] = Node(nodes[consumer].operation, inputs: nodes[consumer].inputs.map { $0 == .node(from) ? .node(to) : $0 },
                                       name: nodes[consumer].name)
            }
            nodes[from] = Node(Identity(), inputs: [.node(to)], name: nodes[from].name)
            absorbed.insert(from)
        }
        for index in nodes.indices {
            guard let convolution = nodes[index].operation as? Convolution, !protected.contains(.node(index)),
                  case .parameter(let filters) = nodes[index].inputs[1] else { continue }
            var current = convolution
            var weights = parameters[filters].value
            var bias: Tensor = if nodes[index].inputs.count == 3, case .parameter(let b) = nodes[index].inputs[2] { parameters[b].value }
                               else { Tensor(zeros: [weights.shape[0]]) }
            var changed = false
            while current.clamp == nil, consumers(of: index).count == 1, let next = consumers(of: index).first {
                let node = nodes[next]
                if let normalization = node.operation as? BatchNormalization, node.inputs[0] == .node(index),
                   let statistics = Self.constantInputs(node, parameters: parameters, from: 1) {
                    Self.fold(normalization, statistics, weights: &weights, bias: &bias)
                } else if node.operation is Relu {
                    current = current.fusing(0...Float.infinity)
                } else if let clip = node.operation as? Clip {
                    current = current.fusing(clip.lower...clip.upper)
                } else {
                    break
                }
                absorb(next, into: index)
                changed = true
                if protected.contains(.node(next)) { break }
            }
            guard changed || convolution.groups == 1 else { continue }
            var inputs = nodes[index].inputs
            if changed {
                parameters.append(Parameter(name: parameters[filters].name + ".folded", value: weights, kind: .constant))
                parameters.append(Parameter(name: parameters[filters].name + ".folded_bias", value: bias, kind: .constant))
                inputs = [inputs[0], .parameter(parameters.count - 2), .parameter(parameters.count - 1)]
            }
            nodes[index] = Node(current.prepacking(weights), inputs: inputs, name: nodes[index].name)
        }
        Self.fuseSiLU(&nodes)
        return Self.droppingUnusedParameters(inputs: inputs, parameters: parameters, nodes: nodes, outputs: outputs)
    }

    /// Every `Mul` of a value by its own `Sigmoid` (SiLU as exporters write it: EfficientNet's
    /// activations) becomes one `SiLU` node, one pass instead of two; a sigmoid nothing else
    /// reads is then skipped by `run`.
    private static func fuseSiLU(_ nodes: inout [Node]) {
        for index in nodes.indices where nodes[index].operation is Mul && nodes[index].inputs.count == 2 {
            let inputs = nodes[index].inputs
            for (gate, value) in [(inputs[1], inputs[0]), (inputs[0], inputs[1])] {
                guard case .node(let sigmoid) = gate, nodes[sigmoid].operation is Sigmoid, nodes[sigmoid].inputs == [value] else { continue }
                nodes[index] = Node(SiLU(), inputs: [value], name: nodes[index].name)
                break
            }
        }
    }

    /// The values of `node`'s parameter inputs from position `first` on, or nil when one is computed.
    private static func constantInputs(_ node: Node, parameters: [Parameter], from first: Int) -> [Tensor]? {
        var result: [Tensor] = []
        for input in node.inputs.dropFirst(first) {
            guard case .parameter(let index) = input else { return nil }
            result.append(parameters[index].value)
        }
        return result
    }

    /// Folds batch normalisation (γ, β, mean, variance) after a convolution into its filters and bias.
    private static func fold(_ normalization: BatchNormalization, _ statistics: [Tensor], weights: inout Tensor, bias: inout Tensor) {
        let (scale, shift, mean, variance) = (statistics[0].scalars, statistics[1].scalars, statistics[2].scalars, statistics[3].scalars)
        let channels = weights.shape[0], perFilter = weights.count / max(1, channels)
        weights.withUnsafeMutableBufferPointer { filters in
            bias.withUnsafeMutableBufferPointer { biases in
                for channel in 0..<channels {
                    let factor = scale[channel] / (variance[channel] + normalization.epsilon).squareRoot()
                    for tap in 0..<perFilter { filters[channel * perFilter + tap] *= factor }
                    biases[channel] = (biases[channel] - mean[channel]) * factor + shift[channel]
                }
            }
        }
    }

    /// The graph with the parameters no node reads left out.
    private static func droppingUnusedParameters(inputs: [Input], parameters: [Parameter], nodes: [Node], outputs: [Value]) -> Graph {
        var newIndex = [Int?](repeating: nil, count: parameters.count), kept: [Parameter] = []
        let rewired = nodes.map { node in
            Node(node.operation, inputs: node.inputs.map { value in
                guard case .parameter(let index) = value else { return value }
                if newIndex[index] == nil {
                    newIndex[index] = kept.count
                    kept.append(parameters[index])
                }
                return .parameter(newIndex[index]!)
            }, name: node.name)
        }
        guard let graph = try? Graph(inputs: inputs, parameters: kept, nodes: rewired, outputs: outputs) else {
            preconditionFailure("optimizedForInference: the rewritten graph does not check")
        }
        return graph
    }

    /// Runs the graph for prediction one example at a time (dimension 0 of every feed), so each
    /// example's activations stay in the caches: the examples spread over the threads, each
    /// thread taking a contiguous part, when there are at least as many as threads; otherwise
    /// each operation spreads its own work. Batches of one, and feeds that are not all float
    /// tensors of one batch, run as `run` does.
    /// - Throws: as `run`.
    public func runSplittingBatch(_ feeds: [Tensor], outputs requested: [Value]? = nil, parallelism: Parallelism = .available) throws -> [Tensor] {
        let batch = feeds.first?.shape.first ?? 0
        guard batch > 1, feeds.allSatisfy({ $0.rank >= 1 && $0.shape[0] == batch && $0.elementType == .float32 }) else {
            return try run(feeds, outputs: requested, parallelism: parallelism)
        }
        let parts = batch >= parallelism.threadCount ? parallelism.threadCount : 1
        let exampleParallelism = parts > 1 ? Parallelism.serial : parallelism
        var results = [Result<[Tensor], any Error>?](repeating: nil, count: batch)
        results.withUnsafeMutableBufferPointer { slots in
            let target = SharedPointer(base: slots.baseAddress!)
            Parallelism(threadCount: parts).forEachChunk(of: batch) { examples in
                for example in examples {
                    target.base[example] = Result { try self.run(feeds.map { $0.rows([example]) }, outputs: requested, parallelism: exampleParallelism) }
                }
            }
        }
        let pieces = try results.map { try $0!.get() }
        return (0..<pieces[0].count).map { output in Tensor(concatenatingRows: pieces.map { $0[output] }) }
    }
}

extension Tensor {
    /// The tensors one after another along dimension 0.
    /// - Precondition: float tensors that agree in every other dimension.
    public init(concatenatingRows parts: [Tensor]) {
        precondition(!parts.isEmpty && parts.allSatisfy { $0.rank >= 1 && Array($0.shape.dropFirst()) == Array(parts[0].shape.dropFirst()) },
                     "Tensor(concatenatingRows:) of different shapes")
        let rows = parts.reduce(0) { $0 + $1.shape[0] }
        self.init(shape: [rows] + parts[0].shape.dropFirst()) { target in
            var offset = 0
            for part in parts {
                part.withUnsafeBufferPointer { source in
                    guard !source.isEmpty else { return }
                    (target.baseAddress! + offset).update(from: source.baseAddress!, count: source.count)
                    offset += source.count
                }
            }
        }
    }
}
