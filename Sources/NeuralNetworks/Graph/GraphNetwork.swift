import LinearAlgebra

/// A network whose layers form a directed acyclic graph — residual additions, concatenations,
/// squeeze-and-excitation products — as published ImageNet models are, for inference. Value 0
/// is the input; node `i` computes value `i + 1` from earlier values and may clamp its output in
/// place (a fused ReLU or ReLU6). Intermediate values are released after their last use.
public struct GraphNetwork: Sendable {
    /// One computation of the graph.
    public struct Node: Sendable {
        /// What it computes.
        public var operation: GraphOperation
        /// The values it reads (0 is the network's input, `i + 1` is node `i`'s output).
        public var inputs: [Int]
        /// A clamp applied to the output in place (a fused activation), or nil.
        public var clamp: ClosedRange<Float>?
        /// A name to report (e.g. the ONNX node's name).
        public var name: String

        /// A node.
        public init(_ operation: GraphOperation, inputs: [Int], clamp: ClosedRange<Float>? = nil, name: String = "") {
            self.operation = operation
            self.inputs = inputs
            self.clamp = clamp
            self.name = name
        }
    }

    /// The nodes, each after the values it reads.
    public let nodes: [Node]
    /// The shape of one input example.
    public let inputShape: MapShape
    /// The shape of every value: the input's, then each node's output.
    public let shapes: [MapShape]
    /// The value the network outputs.
    public let output: Int
    /// Each single-group convolution's weights, packed once for the matrix product (nil for other nodes).
    private let packedWeights: [PackedMatrix?]

    /// A network of `nodes` over inputs of `inputShape`, whose output is value `output` (the last by default).
    /// - Throws: `TrainingError.invalidData` naming the first node that reads a later value or
    ///   cannot take its inputs' shapes.
    public init(nodes: [Node], inputShape: MapShape, output: Int? = nil) throws {
        var shapes = [inputShape]
        for (index, node) in nodes.enumerated() {
            guard !node.inputs.isEmpty, node.inputs.allSatisfy({ (0...index).contains($0) }) else {
                throw TrainingError.invalidData("graph node \(index) (\(node.name)) reads a value that is not computed before it")
            }
            guard let shape = node.operation.outputShape(for: node.inputs.map { shapes[$0] }) else {
                throw TrainingError.invalidData("graph node \(index) (\(node.name), \(node.operation.summary)) cannot take inputs "
                    + node.inputs.map { "\(shapes[$0])" }.joined(separator: ", "))
            }
            shapes.append(shape)
        }
        let output = output ?? nodes.count
        guard (0...nodes.count).contains(output) else { throw TrainingError.invalidData("graph output \(output) does not exist") }
        self.nodes = nodes
        self.inputShape = inputShape
        self.shapes = shapes
        self.output = output
        packedWeights = nodes.map { node in
            guard case .layer(.convolution(let convolution)) = node.operation, convolution.groups == 1 else { return nil }
            return PackedMatrix(convolution.weights)
        }
    }

    /// The shape of one output example.
    public var outputShape: MapShape { shapes[output] }

    /// The value of the last global average pool (an ImageNet classifier's feature layer), if any.
    public var lastGlobalPool: Int? {
        nodes.lastIndex { if case .layer(.globalAveragePooling) = $0.operation { true } else { false } }.map { $0 + 1 }
    }

    /// Multiply-adds of the convolutions and dense layers for one example.
    public var forwardMultiplyAdds: Int {
        nodes.indices.reduce(0) { total, index in
            guard case .layer(let layer) = nodes[index].operation else { return total }
            switch layer {
            case .convolution(let convolution): return total + shapes[index + 1].count * convolution.weights.columns
            case .dense(let dense): return total + dense.weights.rows * dense.weights.columns
            default: return total
            }
        }
    }

    /// The values `outputs` (the network's output by default) for every example of `input`.
    /// Examples run one at a time, so each one's activations stay in the caches: spread over the
    /// threads when there are at least as many examples as threads, else each layer spreads its
    /// own work.
    /// - Precondition: `input.shape == inputShape` and every requested value exists.
    public func forward(_ input: FeatureMaps, outputs requested: [Int]? = nil, parallelism: Parallelism = .available) -> [FeatureMaps] {
        precondition(input.shape == inputShape, "GraphNetwork: input \(input.shape), expected \(inputShape)")
        let wanted = requested ?? [output]
        precondition(wanted.allSatisfy { (0...nodes.count).contains($0) }, "GraphNetwork: no such value among \(wanted)")
        if input.batch == 1 { return forwardBatch(input, wanted: wanted, parallelism: parallelism) }
        let layerParallelism = input.batch >= parallelism.threadCount ? Parallelism.serial : parallelism
        let exampleThreads = input.batch >= parallelism.threadCount ? parallelism : .serial
        let width = input.shape.count
        let buffers = wanted.map { UnsafeMutableBufferPointer<Float>.allocate(capacity: input.batch * shapes[$0].count) }
        defer { buffers.forEach { $0.deallocate() } }
        let targets = buffers.map { SharedPointer(base: $0.baseAddress!) }
        input.values.withUnsafeBufferPointer { inputs in
            let source = SharedReadOnlyPointer(base: UnsafeRawPointer(inputs.baseAddress!))
            exampleThreads.forEachChunk(of: input.batch) { examples in
                for example in examples {
                    let values = Array(UnsafeBufferPointer(start: source.base.assumingMemoryBound(to: Float.self) + example * width, count: width))
                    let single = FeatureMaps(values: Matrix(rows: 1, columns: width, elements: values), shape: inputShape)
                    for (index, result) in forwardBatch(single, wanted: wanted, parallelism: layerParallelism).enumerated() {
                        result.values.withUnsafeBufferPointer { row in
                            (targets[index].base + example * row.count).update(from: row.baseAddress!, count: row.count)
                        }
                    }
                }
            }
        }
        return wanted.indices.map { index in
            FeatureMaps(values: Matrix(rows: input.batch, columns: shapes[wanted[index]].count, elements: Array(buffers[index])),
                        shape: shapes[wanted[index]])
        }
    }

    /// The forward pass of a whole batch, layer by layer.
    private func forwardBatch(_ input: FeatureMaps, wanted: [Int], parallelism: Parallelism) -> [FeatureMaps] {
        let last = wanted.max() ?? 0
        var lastUse = [Int](repeating: -1, count: nodes.count + 1)
        for (index, node) in nodes.enumerated() where index < last { for value in node.inputs { lastUse[value] = index } }
        for value in wanted { lastUse[value] = Int.max }
        var values = [FeatureMaps?](repeating: nil, count: nodes.count + 1)
        values[0] = input
        for index in 0..<last {
            let node = nodes[index]
            var result: FeatureMaps
            if case .layer(.convolution(let convolution)) = node.operation {
                result = convolution.forward(values[node.inputs[0]]!, clampedTo: node.clamp, packedWeights: packedWeights[index],
                                             parallelism: parallelism)
            } else {
                result = GraphExecution.run(node.operation, node.inputs.map { values[$0]! }, shape: shapes[index + 1], parallelism: parallelism)
                if let clamp = node.clamp { GraphExecution.clamp(&result, clamp) }
            }
            values[index + 1] = result
            for value in node.inputs where lastUse[value] == index { values[value] = nil }
        }
        return wanted.map { values[$0]! }
    }
}
