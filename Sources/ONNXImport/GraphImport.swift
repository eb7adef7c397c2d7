import NeuralNetworks

/// Turns an ONNX image classifier's graph into a `GraphNetwork`: activations become graph
/// nodes (with batch normalisation folded into the convolution before it, zero `Pad`s into the
/// convolution after it, and `Relu`/`Clip` fused into the node before them), while everything
/// computable at load time — initializers, `Constant`s and the shape arithmetic exporters leave
/// behind — is evaluated once here. Activations are NCHW (rank 4) or N × features (rank 2); the
/// batch dimension is never part of a node's shape.
struct GraphImport {
    /// A value of the ONNX graph: computed per input (an activation of the network), or known now.
    enum Value {
        case activation(Int, rank: Int)
        case constant(ConstantTensor)
    }

    let model: ONNXModel
    let path: String
    let modelFolder: String
    var nodes: [GraphNetwork.Node] = []
    var shapes: [MapShape]
    var values: [String: Value] = [:]
    /// How many nodes read each ONNX value (and 1 more for a graph output).
    var readers: [String: Int] = [:]
    /// The first node reading each ONNX value.
    var firstReader: [String: ONNXNode] = [:]
    /// Zero `Pad`s waiting to be folded into the convolution that reads them: the padded value,
    /// the activation it pads, and (top, bottom, left, right).
    var pendingPads: [String: (source: Int, pads: [Int])] = [:]

    /// The imported network and the value of its global average pool (the feature layer of a classifier).
    struct Result {
        var network: GraphNetwork
        var globalPool: Int?
    }

    /// Imports `model`, its input fixed at `inputShape` when the graph leaves height and width open.
    static func network(from model: ONNXModel, path: String, modelFolder: String, inputSize: (height: Int, width: Int)? = nil) throws -> Result {
        let graph = model.graph
        let realInputs = graph.inputs.filter { graph.initializers[$0.name] == nil }
        guard realInputs.count == 1, let input = realInputs.first else {
            throw ONNXError(path: path, message: "an image classifier has one input; this graph has \(realInputs.count)")
        }
        guard graph.outputs.count >= 1 else { throw ONNXError(path: path, message: "the graph has no output") }
        guard input.elementType == 1 || input.elementType == 0 else {
            throw ONNXError(path: path, message: "input '\(input.name)' has element type \(input.elementType); only float (1) images are supported")
        }
        let shape = try inputShape(of: input, path: path, inputSize: inputSize)
        var importer = GraphImport(model: model, path: path, modelFolder: modelFolder, shapes: [shape])
        importer.values[input.name] = .activation(0, rank: 4)
        for (name, tensor) in graph.initializers { importer.values[name] = .constant(try importer.constant(from: tensor)) }
        for node in graph.nodes {
            for name in node.inputs where !name.isEmpty {
                importer.readers[name, default: 0] += 1
                if importer.firstReader[name] == nil { importer.firstReader[name] = node }
            }
        }
        for output in graph.outputs { importer.readers[output.name, default: 0] += 1 }
        for (index, node) in graph.nodes.enumerated() { try importer.add(node, index: index) }
        let outputName = graph.outputs[0].name
        guard case .activation(let output, _)? = importer.values[outputName] else {
            throw ONNXError(path: path, message: "output '\(outputName)' is not computed from the input")
        }
        let network: GraphNetwork
        do {
            network = try GraphNetwork(nodes: importer.nodes, inputShape: shape, output: output)
        } catch {
            throw ONNXError(path: path, message: "\(error)")
        }
        return Result(network: network, globalPool: network.lastGlobalPool)
    }

    private static func inputShape(of input: ONNXValueInfo, path: String, inputSize: (height: Int, width: Int)?) throws -> MapShape {
        guard let dimensions = input.dimensions, dimensions.count == 4 else {
            throw ONNXError(path: path, message: "input '\(input.name)' should be a batch of images, N × C × H × W")
        }
        func size(_ index: Int, _ fallback: Int?) throws -> Int {
            if case .fixed(let value) = dimensions[index], value > 0, value <= 16_384 { return Int(value) }
            if case .fixed(let value) = dimensions[index] { throw ONNXError(path: path, message: "input dimension \(index) is \(value)") }
            guard let fallback else {
                throw ONNXError(path: path, message: "input '\(input.name)' leaves dimension \(index) open; give the image size")
            }
            return fallback
        }
        let channels = try size(1, nil)
        return MapShape(channels: channels, height: try size(2, inputSize?.height), width: try size(3, inputSize?.width))
    }

    /// An error about `node`.
    func error(_ node: ONNXNode, index: Int, _ message: String) -> ONNXError {
        ONNXError(path: path, node: node.name.isEmpty ? "\(index) (\(node.opType))" : "'\(node.name)' (\(node.opType))", message: message)
    }

    /// The value `name` names (an error for an unknown name).
    func value(_ name: String, of node: ONNXNode, index: Int) throws -> Value {
        guard let value = values[name] else { throw error(node, index: index, "reads '\(name)', which nothing before it computes") }
        return value
    }

    /// The constant `name` names.
    func constantInput(_ node: ONNXNode, _ position: Int, index: Int) throws -> ConstantTensor? {
        guard position < node.inputs.count, !node.inputs[position].isEmpty else { return nil }
        guard case .constant(let tensor) = try value(node.inputs[position], of: node, index: index) else {
            throw error(node, index: index, "input \(position + 1) ('\(node.inputs[position])') must be known when the model loads")
        }
        return tensor
    }

    /// A constant from an initializer or attribute tensor.
    func constant(from tensor: ONNXTensor) throws -> ConstantTensor {
        let count = try tensor.elementCount()
        guard count <= 1 << 28 else { throw ONNXError(path: path, message: "tensor '\(tensor.name)' has \(count) elements") }
        switch tensor.dataType {
        case .float, .float16, .double: return ConstantTensor(dimensions: tensor.dimensions, floats: try tensor.floatValues(modelFolder: modelFolder))
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64, .bool:
            return ConstantTensor(dimensions: tensor.dimensions, integers: try tensor.integerValues(modelFolder: modelFolder))
        case .string, nil: throw ONNXError(path: path, message: "tensor '\(tensor.name)' has unsupported element type \(tensor.dataTypeValue)")
        }
    }

    /// Adds one ONNX node: evaluated now when everything it reads is known, else as network nodes.
    mutating func add(_ node: ONNXNode, index: Int) throws {
        guard node.domain.isEmpty || node.domain == "ai.onnx" else {
            throw error(node, index: index, "operators of domain '\(node.domain)' are not supported")
        }
        let inputs = try node.inputs.filter { !$0.isEmpty }.map { try value($0, of: node, index: index) }
        let allConstant = inputs.allSatisfy { if case .constant = $0 { true } else { false } }
        if node.opType == "Shape" || (allConstant && node.opType != "Dropout") {
            let results = try evaluate(node, index: index)
            guard results.count >= 1, results.count <= node.outputs.count else {
                throw error(node, index: index, "produced \(results.count) values for \(node.outputs.count) outputs")
            }
            for (name, result) in zip(node.outputs, results) { values[name] = .constant(result) }
        } else {
            try addActivation(node, index: index)
        }
    }

    /// Appends a network node computing `operation` from `inputs`; returns its value.
    mutating func append(_ operation: GraphOperation, inputs: [Int], node: ONNXNode, index: Int) throws -> Int {
        guard let shape = operation.outputShape(for: inputs.map { shapes[$0] }) else {
            throw error(node, index: index, "cannot take inputs of shape " + inputs.map { "\(shapes[$0])" }.joined(separator: ", "))
        }
        nodes.append(GraphNetwork.Node(operation, inputs: inputs, name: node.name.isEmpty ? node.opType : node.name))
        shapes.append(shape)
        return nodes.count
    }

    /// Records the single output of `node` as network value `value`.
    mutating func define(_ node: ONNXNode, as value: Int, rank: Int) {
        if let name = node.outputs.first { values[name] = .activation(value, rank: rank) }
    }
}
