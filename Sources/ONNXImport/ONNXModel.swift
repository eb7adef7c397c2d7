/// The parts of an ONNX `ModelProto` the importer uses: the graph, its operator set, its producer.
public struct ONNXModel: Sendable {
    /// The IR version.
    public var irVersion: Int64 = 0
    /// The default-domain operator set version (0 when not declared).
    public var opsetVersion: Int64 = 0
    /// The exporting tool and its version, e.g. `pytorch 1.13.0`.
    public var producer = ""
    /// The model's metadata (`metadata_props`), e.g. the class names EmbeddingKit stores in `embkit.labels`.
    public var metadata: [String: String] = [:]
    /// The computation.
    public var graph = ONNXGraph()
}

/// An ONNX `GraphProto`: nodes in topological order, named initializers, inputs and outputs.
public struct ONNXGraph: Sendable {
    /// The graph's name.
    public var name = ""
    /// The nodes, in the order they run.
    public var nodes: [ONNXNode] = []
    /// Constant tensors by name (weights, biases, shape constants).
    public var initializers: [String: ONNXTensor] = [:]
    /// The graph inputs (initializers may be listed here too, as older exporters do).
    public var inputs: [ONNXValueInfo] = []
    /// The graph outputs.
    public var outputs: [ONNXValueInfo] = []
}

/// An ONNX `NodeProto`.
public struct ONNXNode: Sendable {
    /// The node's name (may be empty).
    public var name = ""
    /// The operator, e.g. `Conv`.
    public var opType = ""
    /// The operator's domain (empty or `ai.onnx` for the default one).
    public var domain = ""
    /// Input value names (an empty name is an omitted optional input).
    public var inputs: [String] = []
    /// Output value names.
    public var outputs: [String] = []
    /// Attributes by name.
    public var attributes: [String: ONNXAttribute] = [:]
}

/// An ONNX `AttributeProto`'s value.
public enum ONNXAttribute: Sendable {
    case float(Float)
    case integer(Int64)
    case string(String)
    case tensor(ONNXTensor)
    case floats([Float])
    case integers([Int64])
    case strings([String])
    /// A kind the importer never reads (graphs, sparse tensors, type protos).
    case unsupported(type: Int)
}

/// An ONNX `ValueInfoProto`: a name and, for tensors, the element type and shape.
public struct ONNXValueInfo: Sendable {
    /// One dimension: a fixed size, or a symbolic name (e.g. `batch`), or unknown.
    public enum Dimension: Sendable, Hashable {
        case fixed(Int64)
        case symbolic(String)
    }

    /// The value's name.
    public var name = ""
    /// The tensor's element type (`ONNXTensor.DataType` raw value; 0 when not a tensor).
    public var elementType = 0
    /// The tensor's dimensions (nil when the shape is not given).
    public var dimensions: [Dimension]?
}
