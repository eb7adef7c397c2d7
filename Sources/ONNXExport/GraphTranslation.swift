import LinearAlgebra
import NeuralNetworks

/// Translates a `Graph` node by node into ONNX operators (opset 17). The graph's operations are
/// ONNX's own, so most nodes copy over with their attributes; the ones that keep constant inputs
/// as attributes (`Clip`, `Reshape`, `Pad`) get them back as initializers, a convolution's fused
/// clamp becomes a `Relu` or `Clip` after it, and `Gelu` and `SiLU` (not in opset 17) are spelled
/// out. Dropout is left out (inference).
struct GraphTranslation {
    let graph: Graph
    private(set) var builder = ONNXGraphBuilder()
    /// The ONNX name of each input, parameter and node output.
    private var inputNames: [String] = [], parameterNames: [String] = [], nodeNames: [String] = []

    /// A translation of `graph`, its inputs named `inputNames`.
    init(graph: Graph, inputNames: [String]) {
        self.graph = graph
        self.inputNames = inputNames.map { builder.uniqueName($0) }
    }

    /// Adds every parameter and node, then names the first output `outputName`; returns that name.
    /// - Throws: `GraphError` naming a node whose operation has no ONNX form, or a parameter of integers.
    mutating func translate(outputName: String) throws -> String {
        parameterNames = try graph.parameters.map { parameter in
            guard parameter.value.elementType == .float32 else { throw GraphError(node: nil, "parameter '\(parameter.name)' holds integers") }
            return builder.floats(parameter.name, parameter.value.scalars, dimensions: parameter.value.shape)
        }
        for (index, node) in graph.nodes.enumerated() {
            nodeNames.append(try translate(node, index: index))
        }
        return builder.node("Identity", [name(of: graph.outputs[0])], output: builder.uniqueName(outputName))
    }

    private func name(of value: Graph.Value) -> String {
        switch value {
        case .input(let index): inputNames[index]
        case .parameter(let index): parameterNames[index]
        case .node(let index): nodeNames[index]
        }
    }

    private mutating func translate(_ node: Graph.Node, index: Int) throws -> String {
        let inputs = node.inputs.map(name(of:))
        let operation = node.operation
        guard !(operation is EmbeddingBag) else {
            throw GraphError(node: nil, "node \(index + 1) '\(node.name)': \(operation.typeName) has no ONNX operator")
        }
        switch operation {
        case let clip as Clip:
            return clamped(inputs[0], to: clip.lower...clip.upper)
        case let reshape as Reshape:
            return builder.node("Reshape", [inputs[0], builder.int64s("shape", reshape.shape)])
        case let pad as Pad:
            return builder.node("Pad", [inputs[0], builder.int64s("pads", pad.pads), builder.floats("pad_value", [pad.value], dimensions: [])],
                                [("mode", .string("constant"))])
        case let convolution as Convolution:
            var attributes = Self.attributes(of: convolution)
            attributes.removeAll { $0.0.hasPrefix("activation_") }
            let output = builder.node("Conv", inputs, attributes)
            return convolution.clamp.map { clamped(output, to: $0) } ?? output
        case is Dropout:
            return inputs[0]
        case let gelu as Gelu:
            return gelu.approximation == .none ? exactGelu(inputs[0]) : tanhGelu(inputs[0])
        case is SiLU:
            return builder.node("Mul", [inputs[0], builder.node("Sigmoid", [inputs[0]])])
        case is AveragePool:
            var attributes = Self.attributes(of: operation)
            attributes.removeAll { $0.0 == "dilations" }
            return builder.node("AveragePool", inputs, attributes)
        default:
            return builder.node(operation.typeName, inputs, Self.attributes(of: operation))
        }
    }

    /// `input` clamped: `Relu` for 0…∞, otherwise `Clip` with its bounds as inputs.
    private mutating func clamped(_ input: String, to range: ClosedRange<Float>) -> String {
        if range == 0...Float.infinity { return builder.node("Relu", [input]) }
        let lower = builder.floats("clip_min", [range.lowerBound.isFinite ? range.lowerBound : -Float.greatestFiniteMagnitude], dimensions: [])
        let upper = builder.floats("clip_max", [range.upperBound.isFinite ? range.upperBound : Float.greatestFiniteMagnitude], dimensions: [])
        return builder.node("Clip", [input, lower, upper])
    }

    /// x · Φ(x) with the error function: 0.5 · x · (1 + erf(x / √2)).
    private mutating func exactGelu(_ x: String) -> String {
        let scaled = builder.node("Div", [x, builder.floats("sqrt2", [Float(2).squareRoot()], dimensions: [])])
        let shifted = builder.node("Add", [builder.node("Erf", [scaled]), builder.floats("one", [1], dimensions: [])])
        return builder.node("Mul", [builder.node("Mul", [x, shifted]), builder.floats("half", [0.5], dimensions: [])])
    }

    /// 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
    private mutating func tanhGelu(_ x: String) -> String {
        let cube = builder.node("Mul", [builder.node("Mul", [x, x]), x])
        let inner = builder.node("Add", [x, builder.node("Mul", [cube, builder.floats("c", [0.044715], dimensions: [])])])
        let scaled = builder.node("Mul", [inner, builder.floats("k", [Float((2 / Double.pi).squareRoot())], dimensions: [])])
        let shifted = builder.node("Add", [builder.node("Tanh", [scaled]), builder.floats("one", [1], dimensions: [])])
        return builder.node("Mul", [builder.node("Mul", [x, shifted]), builder.floats("half", [0.5], dimensions: [])])
    }

    /// The operation's attributes as ONNX attributes, in name order.
    private static func attributes(of operation: any Operation) -> [(String, ONNXGraphBuilder.Attribute)] {
        operation.attributes.values.sorted { $0.key < $1.key }.compactMap { name, value in
            switch value {
            case .integer(let number): (name, .integer(number))
            case .integers(let numbers): (name, .integers(numbers))
            case .float(let number): (name, .float(number))
            case .string(let text): (name, .string(text))
            case .floats: nil
            }
        }
    }
}
