/// Which layers of a network train, as fine-tuning chooses them.
public enum TrainableLayers: Sendable, Hashable, Codable {
    /// Every layer.
    case all
    /// The top `n` layers with weights (a convolution or dense layer counts as one, together with
    /// the batch normalisation after it); the rest stay frozen.
    case top(Int)
    /// The named node (or 1-based node number, as `embkit info --layers` lists them) and every node after it.
    case from(String)
}

/// How batch normalisation behaves in the layers that train.
public enum BatchNormalizationMode: String, Sendable, Hashable, Codable, CaseIterable {
    /// Normalise by each batch's statistics and move the running ones (PyTorch's `train()`).
    case train
    /// Normalise by the running statistics, which stay as they are; γ and β still train (as
    /// Keras advises for small data sets).
    case frozen
}

/// The part of a graph a training pass updates: the nodes from `firstNode` on run in training
/// mode and their weights train; the nodes before run in inference mode, fixed.
public struct TrainingScope: Sendable, Hashable {
    /// The first node that trains (in the graph's order).
    public var firstNode: Int
    /// How batch normalisation behaves in the nodes that train.
    public var batchNormalization: BatchNormalizationMode

    /// A scope starting at node `firstNode`.
    public init(firstNode: Int = 0, batchNormalization: BatchNormalizationMode = .train) {
        self.firstNode = firstNode
        self.batchNormalization = batchNormalization
    }

    /// The scope of `layers` in `graph`.
    /// - Throws: `GraphError` when the named node does not exist or `top` asks for no layer or
    ///   more layers than the graph has.
    public init(_ layers: TrainableLayers, in graph: Graph, batchNormalization: BatchNormalizationMode = .train) throws {
        switch layers {
        case .all:
            self.init(firstNode: 0, batchNormalization: batchNormalization)
        case .from(let name):
            guard let index = graph.nodeIndex(named: name) else {
                throw GraphError(node: nil, "no node is named '\(name)' (names and numbers as `embkit info --layers` lists them)")
            }
            self.init(firstNode: index, batchNormalization: batchNormalization)
        case .top(let count):
            let layers = graph.weightedLayers
            guard count >= 1, count <= layers.count else {
                throw GraphError(node: nil, "the network has \(layers.count) layers with weights; top \(count) is not 1 to \(layers.count)")
            }
            self.init(firstNode: layers[layers.count - count], batchNormalization: batchNormalization)
        }
    }

    /// The weights the nodes in the scope read.
    public func trainedParameters(in graph: Graph) -> Set<Int> {
        var result = Set<Int>()
        for (index, node) in graph.nodes.enumerated() where index >= firstNode {
            for case .parameter(let parameter) in node.inputs where graph.parameters[parameter].kind == .weight { result.insert(parameter) }
        }
        return result
    }

    /// How `node` (at `index`) runs in a training pass.
    func mode(of node: Graph.Node, at index: Int) -> ForwardContext.Mode {
        guard index >= firstNode else { return .inference }
        if batchNormalization == .frozen && node.operation is BatchNormalization { return .inference }
        return .training
    }
}

extension Graph {
    /// The nodes that count as layers for `TrainableLayers.top`: those reading a weight, except
    /// batch normalisation and elementwise sums and products (an exported LayerNorm's scale and
    /// shift, a layer scale), which go with the layer before them.
    public var weightedLayers: [Int] {
        nodes.indices.filter { index in
            !(nodes[index].operation is BatchNormalization) && !(nodes[index].operation is any BroadcastingBinary) && nodes[index].inputs.contains { input in
                if case .parameter(let parameter) = input { parameters[parameter].kind == .weight } else { false }
            }
        }
    }
}
