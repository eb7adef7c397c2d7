import LinearAlgebra

/// The one network type: a directed acyclic graph of operations over tensors of any rank, with
/// its parameters. Every trained thing is a graph — the small ConvNet, an MLP head, the
/// bag-of-embeddings classifier, an imported ImageNet network — and every graph can run forward
/// (`run`) and, for nodes whose operations have a backward pass, train (`trainingPass`,
/// `backward`).
///
/// Values are the graph's inputs, its parameters and the nodes' outputs; node `i` reads only
/// inputs, parameters and the outputs of nodes before it, so the stored order is an execution
/// order. The batch is dimension 0 of every data tensor.
public struct Graph: Sendable {
    /// A tensor the caller supplies on every run.
    public struct Input: Sendable, Hashable, Codable {
        /// Its name (an ONNX input's name, or `pixels`, `ids`, …).
        public var name: String
        /// Each dimension's size, nil where it varies between runs (the batch, a sequence length).
        public var shape: [Int?]
        /// What its elements are.
        public var elementType: Tensor.ElementType

        /// An input description.
        public init(name: String, shape: [Int?], elementType: Tensor.ElementType = .float32) {
            self.name = name
            self.shape = shape
            self.elementType = elementType
        }

        /// The shape with every varying dimension at 1 (the example the graph's shapes are checked with).
        var exampleShape: [Int] { shape.map { $0 ?? 1 } }
    }

    /// A tensor the graph owns.
    public struct Parameter: Sendable {
        /// What training does with a parameter.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// Updated by the optimizer when its node is in the training scope.
            case weight
            /// Moved by the training pass itself (batch normalisation's running statistics).
            case statistic
            /// Never changed (a constant operand, a normalisation).
            case constant
        }

        /// Its name (unique in the graph), e.g. `features.0.weight`.
        public let name: String
        /// Its value.
        public internal(set) var value: Tensor
        /// What training does with it.
        public let kind: Kind

        /// A parameter.
        public init(name: String, value: Tensor, kind: Kind) {
            self.name = name
            self.value = value
            self.kind = kind
        }
    }

    /// Where a node reads one of its inputs (stored as `{"node": 3}`, `{"parameter": 0}`, `{"input": 0}`).
    public enum Value: Sendable, Hashable, Codable {
        /// Graph input `i`.
        case input(Int)
        /// Parameter `i`.
        case parameter(Int)
        /// The output of node `i`.
        case node(Int)
    }

    /// One computation.
    public struct Node: Sendable {
        /// What it computes.
        public let operation: any Operation
        /// What it reads, in the operation's input order.
        public let inputs: [Value]
        /// Its name (an ONNX node's name), unique or empty.
        public let name: String

        /// A node.
        public init(_ operation: any Operation, inputs: [Value], name: String = "") {
            self.operation = operation
            self.inputs = inputs
            self.name = name
        }
    }

    /// The tensors each run supplies.
    public let inputs: [Input]
    /// The tensors the graph owns.
    public internal(set) var parameters: [Parameter]
    /// The computations, each after everything it reads.
    public let nodes: [Node]
    /// What a run returns by default.
    public let outputs: [Value]
    /// Each node's output shape for the inputs' example shapes (varying dimensions at 1).
    public let nodeShapes: [[Int]]
    /// Each node's output element type.
    public let nodeElementTypes: [Tensor.ElementType]

    /// The most elements one value or parameter may have (1 GiB of floats): a graph read from a
    /// file that declares more is refused before anything is allocated.
    public static let maximumElementCount = 1 << 28

    /// A graph from its parts, every node's inputs and shapes checked.
    /// - Throws: `GraphError` naming the first node that reads a value not computed before it,
    ///   reads a parameter in a role it does not have, or cannot take its inputs' shapes.
    public init(inputs: [Input], parameters: [Parameter], nodes: [Node], outputs: [Value]) throws {
        guard !outputs.isEmpty else { throw GraphError(node: nil, "the graph has no output") }
        var shapes: [[Int]] = [], types: [Tensor.ElementType] = []
        for parameter in parameters where parameter.value.count > Self.maximumElementCount {
            throw GraphError(node: nil, "parameter '\(parameter.name)' has \(parameter.value.count) elements")
        }
        for input in inputs where input.shape.contains(where: { ($0 ?? 1) < 0 }) || Tensor.elementCount(of: input.exampleShape) == nil {
            throw GraphError(node: nil, "input '\(input.name)' has an invalid shape")
        }
        func shape(of value: Value) -> ([Int], Tensor.ElementType) {
            switch value {
            case .input(let index): (inputs[index].exampleShape, inputs[index].elementType)
            case .parameter(let index): (parameters[index].value.shape, parameters[index].value.elementType)
            case .node(let index): (shapes[index], types[index])
            }
        }
        for (index, node) in nodes.enumerated() {
            let place = GraphError.Place(index: index, node: node)
            for (position, value) in node.inputs.enumerated() {
                switch value {
                case .input(let input) where !inputs.indices.contains(input),
                     .parameter(let input) where !parameters.indices.contains(input),
                     .node(let input) where !(0..<index).contains(input):
                    throw GraphError(node: place, "input \(position + 1) reads \(value), which is not computed before it")
                case .parameter(let parameter):
                    let role = node.operation.role(ofInput: position), kind = parameters[parameter].kind
                    guard role != .statistic || kind == .statistic else {
                        throw GraphError(node: place, "input \(position + 1) is a running statistic, but parameter '\(parameters[parameter].name)' is a \(kind)")
                    }
                default: break
                }
            }
            let inputShapes = node.inputs.map(shape(of:))
            do {
                let output = try node.operation.outputShape(for: inputShapes.map(\.0), elementTypes: inputShapes.map(\.1))
                guard let count = Tensor.elementCount(of: output), count <= Self.maximumElementCount else {
                    throw OperationError("the output \(output) is too large")
                }
                shapes.append(output)
                types.append(node.operation.outputElementType(for: inputShapes.map(\.1)))
            } catch let error as OperationError {
                throw GraphError(node: place, error.message + " (inputs " + inputShapes.map { "\($0.0)" }.joined(separator: ", ") + ")")
            }
        }
        for output in outputs {
            if case .node(let index) = output, nodes.indices.contains(index) { continue }
            if case .input(let index) = output, inputs.indices.contains(index) { continue }
            throw GraphError(node: nil, "output \(output) is not a node or input of the graph")
        }
        self.inputs = inputs
        self.parameters = parameters
        self.nodes = nodes
        self.outputs = outputs
        nodeShapes = shapes
        nodeElementTypes = types
    }

    /// The example shape (varying dimensions at 1) of `value`.
    public func shape(of value: Value) -> [Int] {
        switch value {
        case .input(let index): inputs[index].exampleShape
        case .parameter(let index): parameters[index].value.shape
        case .node(let index): nodeShapes[index]
        }
    }

    /// The index of the node named `name`, or of node `name` when it is a number (1-based, as
    /// `embkit info` lists them).
    public func nodeIndex(named name: String) -> Int? {
        if let index = nodes.firstIndex(where: { $0.name == name }) { return index }
        if let number = Int(name), (1...nodes.count).contains(number) { return number - 1 }
        return nil
    }

    /// The index of the parameter named `name`.
    public func parameterIndex(named name: String) -> Int? {
        parameters.firstIndex { $0.name == name }
    }

    /// Replaces parameter `index`'s value.
    /// - Precondition: the same shape and element type.
    public mutating func setValue(_ value: Tensor, ofParameter index: Int) {
        precondition(value.shape == parameters[index].value.shape && value.elementType == parameters[index].value.elementType,
                     "Graph.setValue: \(value) for parameter '\(parameters[index].name)' of \(parameters[index].value)")
        parameters[index].value = value
    }

    /// Multiply-adds of the convolutions and matrix products for one example (varying dimensions at 1).
    public var multiplyAdds: Int {
        nodes.indices.reduce(0) { total, index in
            let node = nodes[index]
            switch node.operation {
            case is Convolution, is Gemm, is MatMul:
                // Each output value takes one multiply-add per weight it reads: the filter's (or row's) size.
                let weights = shape(of: node.inputs[1])
                let perOutput = node.operation is Convolution ? weights.dropFirst().reduce(1, *)
                    : ((node.operation as? Gemm)?.transposesWeights == true ? weights[1] : weights[weights.count - 2])
                return total + nodeShapes[index].reduce(1, *) * perOutput
            default: return total
            }
        }
    }

    /// The number of trained values (weights), counting each parameter once.
    public var weightCount: Int {
        parameters.reduce(0) { $0 + ($1.kind == .weight ? $1.value.count : 0) }
    }
}

/// A graph that cannot be built, run or trained, naming the node.
public struct GraphError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the graph.
    public struct Place: Sendable, Hashable {
        /// The node's index.
        public let index: Int
        /// Its name.
        public let name: String
        /// Its operation's registered name.
        public let operation: String

        init(index: Int, node: Graph.Node) {
            self.index = index
            name = node.name
            operation = node.operation.typeName
        }
    }

    /// The node (nil for the graph as a whole).
    public let node: Place?
    /// What is wrong.
    public let message: String

    /// An error at `node` saying `message`.
    public init(node: Place?, _ message: String) {
        self.node = node
        self.message = message
    }

    /// `node 12 'features.3.conv' (Conv): message`.
    public var description: String {
        guard let node else { return message }
        return "node \(node.index + 1)" + (node.name.isEmpty ? "" : " '\(node.name)'") + " (\(node.operation)): \(message)"
    }
}

extension Graph.Value {
    private enum CodingKeys: String, CodingKey { case input, parameter, node }

    /// Reads one key naming the kind of value, with its index.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "a value is an input, a parameter or a node"))
        }
        let index = try container.decode(Int.self, forKey: key)
        switch key {
        case .input: self = .input(index)
        case .parameter: self = .parameter(index)
        case .node: self = .node(index)
        }
    }

    /// Writes one key naming the kind of value, with its index.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .input(let index): try container.encode(index, forKey: .input)
        case .parameter(let index): try container.encode(index, forKey: .parameter)
        case .node(let index): try container.encode(index, forKey: .node)
        }
    }
}
