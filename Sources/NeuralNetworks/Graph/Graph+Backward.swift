import LinearAlgebra

/// A forward pass in training mode and what its backward pass needs: the outputs, and for every
/// node on a path from a trained parameter to an output, its inputs, output and saved tensors as
/// its operation asked. Nodes outside the scope ran in inference mode and kept nothing.
public struct TrainingPass: Sendable {
    /// The values the pass was asked for, in order.
    public let outputs: [Tensor]
    /// Which values the outputs were (their gradients flow back from there).
    let outputValues: [Graph.Value]
    /// Per node: its record when it needs a backward pass.
    let records: [SavedPass?]
    /// Whether each node's output depends on a trained parameter.
    let nodeRequiresGradient: [Bool]
    /// The trained parameters.
    let trainedParameters: Set<Int>
    /// New running statistics, by parameter index.
    public let statisticUpdates: [Int: Tensor]
}

extension Graph {
    /// Runs the graph in training mode for `scope`: nodes from the scope's first node on train
    /// (dropout drawn, batch normalisation by batch statistics unless frozen) and keep what their
    /// backward pass needs; the nodes before it run in inference mode as a fixed feature extractor.
    /// - Parameters:
    ///   - feeds: one tensor per graph input.
    ///   - scope: which nodes train.
    ///   - outputs: the values to return and differentiate (the graph's outputs by default).
    ///   - seed: draws the dropout masks (each node its own stream).
    ///   - parallelism: the threads each operation may use.
    /// - Throws: `GraphError` for feeds that do not fit, or a node in the scope whose operation
    ///   has no backward pass while a gradient must cross it.
    public func trainingPass(_ feeds: [Tensor], scope: TrainingScope, outputs requested: [Value]? = nil, seed: UInt64,
                             parallelism: Parallelism = .available) throws -> TrainingPass {
        let wanted = requested ?? outputs
        try checkFeeds(feeds)
        let trained = scope.trainedParameters(in: self)
        let needed = nodesNeeded(for: wanted)
        var requiresGradient = [Bool](repeating: false, count: nodes.count)
        for index in nodes.indices where needed[index] && index >= scope.firstNode {
            // Integers (ids, booleans) carry no gradient, whatever they were computed from.
            requiresGradient[index] = nodeElementTypes[index] == .float32 && nodes[index].inputs.contains { input in
                switch input {
                case .input: false
                case .parameter(let parameter): trained.contains(parameter)
                case .node(let producer): requiresGradient[producer]
                }
            }
            if requiresGradient[index] && !type(of: nodes[index].operation).isDifferentiable {
                throw GraphError(node: GraphError.Place(index: index, node: nodes[index]),
                                 "has no backward pass; train only the layers after it")
            }
        }
        var lastUse = [Int](repeating: -1, count: nodes.count)
        for index in nodes.indices where needed[index] {
            for case .node(let producer) in nodes[index].inputs { lastUse[producer] = index }
        }
        for case .node(let index) in wanted { lastUse[index] = Int.max }
        var values = [Tensor?](repeating: nil, count: nodes.count)
        var records = [SavedPass?](repeating: nil, count: nodes.count)
        var statistics: [Int: Tensor] = [:]
        for index in nodes.indices where needed[index] {
            let node = nodes[index]
            let inputs = node.inputs.map { value(of: $0, feeds: feeds, computed: values) }
            let mode = scope.mode(of: node, at: index)
            var context = ForwardContext(mode: mode, parallelism: parallelism,
                                         generator: SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
            let output = try evaluate(index, inputs, context: &context)
            values[index] = output
            for update in context.statisticUpdates {
                guard case .parameter(let parameter) = node.inputs[update.position] else { continue }
                statistics[parameter] = update.value
            }
            if requiresGradient[index] {
                let needs = node.operation.backwardNeeds
                let needsGradient = node.inputs.map { input in
                    switch input {
                    case .input: false
                    case .parameter(let parameter): trained.contains(parameter)
                    case .node(let producer): requiresGradient[producer]
                    }
                }
                records[index] = SavedPass(inputShapes: inputs.map(\.shape), inputs: needs.contains(.inputs) ? inputs : nil,
                                           output: needs.contains(.output) ? output : nil, saved: context.saved,
                                           needsGradient: needsGradient, mode: mode, parallelism: parallelism)
            }
            for case .node(let producer) in node.inputs where lastUse[producer] == index { values[producer] = nil }
        }
        return TrainingPass(outputs: wanted.map { value(of: $0, feeds: feeds, computed: values) }, outputValues: wanted,
                            records: records, nodeRequiresGradient: requiresGradient, trainedParameters: trained,
                            statisticUpdates: statistics)
    }

    /// Backpropagates `outputGradients` (one per output of `pass`, each its output's shape) and
    /// returns the gradient of every trained parameter, by parameter index (zeros for a trained
    /// parameter no gradient reached). Nothing below the lowest trained node is computed.
    /// - Precondition: the gradients have the outputs' shapes.
    public func backward(_ pass: TrainingPass, outputGradients: [Tensor]) -> [Int: Tensor] {
        precondition(outputGradients.count == pass.outputs.count
                     && zip(outputGradients, pass.outputs).allSatisfy { $0.shape == $1.shape }, "Graph.backward: gradients do not fit the outputs")
        var nodeGradients = [Tensor?](repeating: nil, count: nodes.count)
        var parameterGradients: [Int: Tensor] = [:]
        for (value, gradient) in zip(pass.outputValues, outputGradients) {
            if case .node(let index) = value, pass.nodeRequiresGradient[index] { Self.accumulate(gradient, into: &nodeGradients[index]) }
        }
        for index in nodes.indices.reversed() {
            guard let gradient = nodeGradients[index], let record = pass.records[index] else { continue }
            nodeGradients[index] = nil
            let inputGradients = nodes[index].operation.backward(gradient, pass: record)
            precondition(inputGradients.count == nodes[index].inputs.count, "\(nodes[index].operation.typeName): backward gave \(inputGradients.count) gradients")
            for (position, input) in nodes[index].inputs.enumerated() where record.needsGradient[position] {
                guard let inputGradient = inputGradients[position] else { continue }
                precondition(inputGradient.shape == record.inputShapes[position],
                             "\(nodes[index].operation.typeName): gradient \(inputGradient.shape) for input \(record.inputShapes[position])")
                switch input {
                case .node(let producer): Self.accumulate(inputGradient, into: &nodeGradients[producer])
                case .parameter(let parameter): Self.accumulate(inputGradient, into: &parameterGradients[parameter])
                case .input: break
                }
            }
        }
        for parameter in pass.trainedParameters where parameterGradients[parameter] == nil {
            parameterGradients[parameter] = Tensor(zeros: parameters[parameter].value.shape)
        }
        return parameterGradients
    }

    /// Stores the running statistics a training pass computed.
    public mutating func applyStatistics(of pass: TrainingPass) {
        for (index, value) in pass.statisticUpdates { setValue(value, ofParameter: index) }
    }

    /// `total += gradient` (or `total = gradient` for the first).
    static func accumulate(_ gradient: Tensor, into total: inout Tensor?) {
        guard var sum = total else {
            total = gradient
            return
        }
        total = nil
        sum.withUnsafeMutableBufferPointer { target in gradient.withUnsafeBufferPointer { Kernels.add($0, to: target) } }
        total = sum
    }
}
