import LinearAlgebra
import NeuralNetworks

/// Turns an ONNX graph into a `Graph`, operator by operator: every node computed from the
/// inputs becomes a node of the same ONNX operator (so the imported network trains as exported:
/// batch normalisation stays a node with its running statistics), initializers become
/// parameters (weights where an operator trains them, running statistics, or constants), and
/// everything computable at load time — `Constant`s and the shape arithmetic exporters leave
/// behind — is evaluated once here. A zero `Pad` read only by a convolution becomes that
/// convolution's padding. Shapes are tracked for one example (batch 1).
struct GraphImport {
    /// A value of the ONNX graph: computed per input (with its example shape), or known now.
    enum Value {
        case activation(Graph.Value, shape: [Int])
        case constant(ConstantTensor)
    }

    let model: ONNXModel
    let path: String
    let modelFolder: String
    var builder: GraphBuilder
    var values: [String: Value] = [:]
    /// The parameters made from constants, by constant name and kind (one constant may feed several nodes).
    var parameters: [String: Graph.Value] = [:]
    /// How many nodes read each ONNX value (and 1 more for a graph output).
    var readers: [String: Int] = [:]
    /// The first node reading each ONNX value.
    var firstReader: [String: ONNXNode] = [:]
    /// Zero `Pad`s waiting to be folded into the convolution that reads them: the padded
    /// activation and (top, left, bottom, right).
    var pendingPads: [String: (source: Graph.Value, shape: [Int], pads: [Int])] = [:]
    /// The example shape of each node made so far.
    var nodeShapes: [[Int]] = []
    /// The element type of each node made so far.
    var nodeElementTypes: [Tensor.ElementType] = []
    /// The parameter names taken so far.
    var parameterNames: Set<String> = []

    /// Whether every input dimension is as declared (else the first is the batch).
    var declaredShapes = false
    /// Constants computed from the batch size (`Shape` of an activation, and what follows from
    /// it), as they would be at batch 2, by name: where they differ from the batch-1 value the
    /// importer knows which dimensions follow the batch.
    var constantsAtBatchTwo: [String: ConstantTensor] = [:]
    /// Each node's shape at batch 2 (nil where an operation cannot tell it).
    var nodeShapesAtBatchTwo: [[Int]?] = []
    /// Whether `constantInput` and `Shape` read the batch-2 variants (a node's second evaluation).
    var readsBatchTwo = false

    /// Imports `model`, its inputs' height and width fixed at `inputSize` where the graph leaves
    /// them open, the first dimension of each input the batch unless `declaredShapes`.
    static func graph(from model: ONNXModel, path: String, modelFolder: String, inputSize: (height: Int, width: Int)? = nil,
                      declaredShapes: Bool = false, dimensions: [String: Int] = [:]) throws -> Graph {
        let graph = model.graph
        let feeds = model.feedInputs
        guard !feeds.isEmpty else { throw ONNXError(path: path, message: "the graph has no input to feed") }
        guard graph.outputs.count >= 1 else { throw ONNXError(path: path, message: "the graph has no output") }
        let inputs = try feeds.map { try input($0, path: path, inputSize: inputSize, declaredShapes: declaredShapes, dimensions: dimensions) }
        var importer = GraphImport(model: model, path: path, modelFolder: modelFolder, builder: GraphBuilder(inputs: inputs))
        importer.declaredShapes = declaredShapes
        for (position, input) in inputs.enumerated() {
            importer.values[feeds[position].name] = .activation(.input(position), shape: input.shape.map { $0 ?? 1 })
        }
        for (name, tensor) in graph.initializers where importer.values[name] == nil {
            importer.values[name] = .constant(try importer.constant(from: tensor))
        }
        for node in graph.nodes {
            for name in node.inputs where !name.isEmpty {
                importer.readers[name, default: 0] += 1
                if importer.firstReader[name] == nil { importer.firstReader[name] = node }
            }
        }
        for output in graph.outputs { importer.readers[output.name, default: 0] += 1 }
        for (index, node) in graph.nodes.enumerated() { try importer.add(node, index: index) }
        let outputs = try graph.outputs.map { output -> Graph.Value in
            switch importer.values[output.name] {
            case .activation(let value, _)?: return value
            case .constant(let constant)? where importer.constantsAtBatchTwo[output.name] == nil:
                // Known at load time (a shape, a range): the graph answers it for every input.
                let value = try importer.parameter(output.name, constant, kind: .constant)
                return importer.builder.node(Identity(), [value], name: output.name)
            default: throw ONNXError(path: path, message: "output '\(output.name)' is neither computed from the inputs nor the same for every batch")
            }
        }
        do {
            return try importer.builder.graph(outputs: outputs)
        } catch {
            throw ONNXError(path: path, message: "\(error)")
        }
    }

    /// A graph input: floats (images; of any precision, fed as float32), integers (ids) or
    /// booleans (masks; integers 0 and 1), the
    /// first dimension the batch, the others fixed (or given by `inputSize` for an image's height
    /// and width, or by `dimensions` for a named one); with `declaredShapes`, or a first dimension
    /// named in `dimensions`, the first is fixed too.
    private static func input(_ input: ONNXValueInfo, path: String, inputSize: (height: Int, width: Int)?, declaredShapes: Bool,
                              dimensions sizes: [String: Int]) throws -> Graph.Input {
        let type: Tensor.ElementType
        switch ONNXTensor.DataType(rawValue: input.elementType) {
        case .float?: type = .float32
        case .double?, .float16?: type = .float32  // the graph computes in float32: it is fed and answers float32
        case nil where input.elementType == 0: type = .float32  // undefined: as exporters leave images
        case .int64?, .int32?, .int16?, .int8?, .uint8?, .uint16?, .uint32?, .bool?: type = .int32
        default:
            throw ONNXError(path: path, message: "input '\(input.name)' has element type \(input.elementType); floats, integers and booleans are supported")
        }
        guard let dimensions = input.dimensions, !dimensions.isEmpty || declaredShapes else {
            throw ONNXError(path: path, message: "input '\(input.name)' has no shape")
        }
        let shape = try dimensions.enumerated().map { axis, dimension -> Int? in
            if case .fixed(let value) = dimension, value > 0, value <= 16_384 { return axis == 0 && !declaredShapes ? nil : Int(value) }
            if case .symbolic(let name) = dimension, let size = sizes[name] {
                guard size > 0, size <= 16_384 else { throw ONNXError(path: path, message: "dimension '\(name)' of input '\(input.name)' is given as \(size)") }
                return size
            }
            if case .fixed(let value) = dimension, value != 1 || axis != 0 {
                throw ONNXError(path: path, message: "input '\(input.name)' dimension \(axis) is \(value)")
            }
            if axis == 0 { return nil }
            if dimensions.count == 4, axis >= 2, let inputSize { return axis == 2 ? inputSize.height : inputSize.width }
            if case .symbolic(let name) = dimension, !name.isEmpty {
                throw ONNXError(path: path, message: "input '\(input.name)' leaves dimension \(axis) ('\(name)') open; give its size")
            }
            throw ONNXError(path: path, message: "input '\(input.name)' leaves dimension \(axis) open; give the image size")
        }
        return Graph.Input(name: input.name, shape: shape, elementType: type)
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

    /// The constant at input `position` (nil when the input is omitted).
    func constantInput(_ node: ONNXNode, _ position: Int, index: Int) throws -> ConstantTensor? {
        guard position < node.inputs.count, !node.inputs[position].isEmpty else { return nil }
        guard case .constant(let tensor) = try value(node.inputs[position], of: node, index: index) else {
            throw error(node, index: index, "input \(position + 1) ('\(node.inputs[position])') must be known when the model loads")
        }
        return readsBatchTwo ? constantsAtBatchTwo[node.inputs[position]] ?? tensor : tensor
    }

    /// Whether `name` is an initializer the exporting framework trained: a float tensor of more
    /// than one value (a scale, a shift, a position table; not a scalar like a LayerNorm's
    /// epsilon, and not a `Constant` node's value), from any producer but EmbeddingKit, whose
    /// exports keep their input normalisation as initializers of elementwise operators.
    func isTrainedInitializer(_ name: String) -> Bool {
        guard !model.producer.hasPrefix("EmbeddingKit"), let tensor = model.graph.initializers[name],
              [.float, .float16, .double].contains(tensor.dataType) else { return false }
        return ((try? tensor.elementCount()) ?? 0) > 1
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

    /// Adds one ONNX node: evaluated now when everything it reads is known, else as graph nodes.
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
            if node.opType == "Shape" || node.inputs.contains(where: { constantsAtBatchTwo[$0] != nil }) {
                readsBatchTwo = true
                defer { readsBatchTwo = false }
                if let atBatchTwo = try? evaluate(node, index: index) {
                    for (name, (one, two)) in zip(node.outputs, zip(results, atBatchTwo)) where one != two { constantsAtBatchTwo[name] = two }
                }
            }
        } else {
            try addActivation(node, index: index)
        }
    }

    /// The graph value of input `position`: an activation, or a constant made a parameter of `kind`.
    /// Integer constants stay integers unless `asFloats`.
    mutating func operand(_ node: ONNXNode, _ position: Int, index: Int, kind: Graph.Parameter.Kind, asFloats: Bool = false) throws -> Graph.Value {
        guard position < node.inputs.count, !node.inputs[position].isEmpty else { throw error(node, index: index, "input \(position + 1) is missing") }
        let name = node.inputs[position]
        switch try value(name, of: node, index: index) {
        case .activation(let value, _): return value
        case .constant(var constant):
            if asFloats, constant.isInteger { constant = ConstantTensor(dimensions: constant.dimensions, floats: constant.floats) }
            let key = "\(name)#\(kind.rawValue)\(asFloats ? "#float" : "")"
            if let existing = parameters[key] { return try followingTheBatch(existing, constant: name, node, index: index) }
            let made = try parameter(name, constant, kind: kind)
            parameters[key] = made
            return try followingTheBatch(made, constant: name, node, index: index)
        }
    }

    /// A new parameter holding `constant` (integers as 32-bit integers, always of kind `.constant`),
    /// named `name` or, when taken, `name_2`, `name_3` …
    mutating func parameter(_ name: String, _ constant: ConstantTensor, kind: Graph.Parameter.Kind) throws -> Graph.Value {
        let tensor = constant.isInteger ? Tensor(shape: constant.dimensions, integers: try constant.integers.map { value in
            guard let narrow = Int32(exactly: value) else { throw ONNXError(path: path, message: "integer \(value) of '\(name)' is out of range") }
            return narrow
        }) : Tensor(shape: constant.dimensions, elements: constant.floats)
        if !constant.isInteger, kind != .constant, let element = constant.floats.firstIndex(where: { !$0.isFinite }) {
            throw ONNXError(path: path, message: "weight '\(name)' element \(element) is NaN or infinite")
        }
        var parameterName = name, suffix = 1
        while parameterNames.contains(parameterName) {
            suffix += 1
            parameterName = "\(name)_\(suffix)"
        }
        parameterNames.insert(parameterName)
        return builder.parameter(parameterName, tensor, kind: constant.isInteger ? .constant : kind)
    }

    /// `parameter` repeated along the batch when the constant `name` was computed for one example
    /// and grows with the batch (an `Expand` to the batch size): the batch taken from an
    /// activation `node` reads, which has it on the same axis.
    private mutating func followingTheBatch(_ parameter: Graph.Value, constant name: String, _ node: ONNXNode, index: Int) throws -> Graph.Value {
        guard let atBatchTwo = constantsAtBatchTwo[name], case .constant(let atBatchOne)? = values[name], !atBatchOne.isInteger else { return parameter }
        let one = atBatchOne.dimensions, two = atBatchTwo.dimensions
        guard one.count == two.count, let axis = one.indices.first(where: { one[$0] != two[$0] }),
              one[axis] == 1, two[axis] == 2, one.indices.allSatisfy({ $0 == axis || one[$0] == two[$0] }) else {
            throw error(node, index: index, "'\(name)' depends on the batch size in a way the importer cannot follow (\(one) at batch 1, \(two) at batch 2)")
        }
        for input in node.inputs {
            guard case .activation(let reference, let shape)? = values[input], axis < shape.count, shape[axis] == 1,
                  exampleShapeAtBatchTwo(of: reference)?[axis] == 2 else { continue }
            return try append(BroadcastAlong(axis: axis), [parameter, reference], node: node, index: index).0
        }
        throw error(node, index: index, "'\(name)' follows the batch, but no input of the node carries the batch on axis \(axis)")
    }

    /// Appends a node computing `operation` from `inputs` for the ONNX `node`; returns its value and example shape.
    mutating func append(_ operation: any Operation, _ inputs: [Graph.Value], node: ONNXNode, index: Int) throws -> (Graph.Value, [Int]) {
        let shapes = inputs.map(exampleShape)
        let types = inputs.map(elementType)
        let shape: [Int]
        do { shape = try operation.outputShape(for: shapes, elementTypes: types) } catch let failure as OperationError {
            throw error(node, index: index, failure.message + " (inputs " + shapes.map { "\($0)" }.joined(separator: ", ") + ")")
        }
        let name = node.name.isEmpty ? (node.outputs.first ?? node.opType) : node.name
        nodeShapes.append(shape)
        nodeElementTypes.append(operation.outputElementType(for: types))
        let shapesAtBatchTwo = inputs.compactMap(exampleShapeAtBatchTwo)
        nodeShapesAtBatchTwo.append(shapesAtBatchTwo.count == inputs.count ? try? operation.outputShape(for: shapesAtBatchTwo, elementTypes: types) : nil)
        return (builder.node(operation, inputs, name: name), shape)
    }

    /// The example shape of a graph value made so far.
    func exampleShape(of value: Graph.Value) -> [Int] {
        switch value {
        case .input(let position): return builder.inputs[position].shape.map { $0 ?? 1 }
        case .parameter(let position): return builder.parameters[position].value.shape
        case .node(let position): return nodeShapes[position]
        }
    }

    /// The shape of a graph value made so far at batch 2 (nil where it cannot be told).
    func exampleShapeAtBatchTwo(of value: Graph.Value) -> [Int]? {
        switch value {
        case .input(let position): builder.inputs[position].shape.map { $0 ?? 2 }
        case .parameter(let position): builder.parameters[position].value.shape
        case .node(let position): nodeShapesAtBatchTwo[position]
        }
    }

    /// The element type of a graph value made so far.
    func elementType(of value: Graph.Value) -> Tensor.ElementType {
        switch value {
        case .input(let position): builder.inputs[position].elementType
        case .parameter(let position): builder.parameters[position].value.elementType
        case .node(let position): nodeElementTypes[position]
        }
    }

    /// Records the single output of `node` as `value` with example shape `shape`.
    mutating func define(_ node: ONNXNode, as value: Graph.Value, shape: [Int]) {
        if let name = node.outputs.first { values[name] = .activation(value, shape: shape) }
    }
}
