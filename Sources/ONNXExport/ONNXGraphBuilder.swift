import LinearAlgebra
import NeuralNetworks

/// Collects ONNX nodes and initializers while a graph network is translated, and encodes them
/// as a `GraphProto`. Values are 4-D (`N × C × H × W`) or 2-D (`N × features`) tensors; the
/// builder converts between the two where an operator needs the other.
struct ONNXGraphBuilder {
    /// An attribute value of a node.
    enum Attribute {
        case integer(Int)
        case float(Float)
        case integers([Int])
        case string(String)
    }

    private var nodes = ProtobufWriter()
    private var initializers = ProtobufWriter()
    private var nameCounts: [String: Int] = [:]

    /// A name not used before, from `stem`.
    mutating func uniqueName(_ stem: String) -> String {
        let count = nameCounts[stem, default: 0]
        nameCounts[stem] = count + 1
        return count == 0 ? stem : "\(stem)_\(count)"
    }

    /// Adds a node computing `op` of `inputs` and returns its output's name.
    @discardableResult
    mutating func node(_ op: String, _ inputs: [String], _ attributes: [(String, Attribute)] = [], output: String? = nil) -> String {
        let output = output ?? uniqueName(op.lowercased())
        let name = uniqueName("\(op)_node")
        nodes.message(1) { node in
            for input in inputs { node.string(1, input) }
            node.string(2, output)
            node.string(3, name)
            node.string(4, op)
            for (attributeName, value) in attributes {
                node.message(5) { attribute in
                    attribute.string(1, attributeName)
                    switch value {
                    case .float(let number): attribute.float(2, number); attribute.integer(20, 1)
                    case .integer(let number): attribute.integer(3, number); attribute.integer(20, 2)
                    case .string(let text): attribute.string(4, text); attribute.integer(20, 3)
                    case .integers(let numbers): attribute.packedIntegers(8, numbers); attribute.integer(20, 7)
                    }
                }
            }
        }
        return output
    }

    /// Adds a float32 initializer and returns its name.
    mutating func floats(_ stem: String, _ values: [Float], dimensions: [Int]) -> String {
        precondition(dimensions.reduce(1, *) == values.count, "ONNXGraphBuilder: \(values.count) values for \(dimensions)")
        let name = uniqueName(stem)
        initializers.message(5) { tensor in
            tensor.packedIntegers(1, dimensions)
            tensor.integer(2, 1)  // FLOAT
            tensor.string(8, name)
            tensor.bytes(9, values.withUnsafeBufferPointer { buffer in
                UnsafeRawBufferPointer(buffer).lazy.map { $0 }
            })
        }
        return name
    }

    /// Adds an int64 initializer (a shape or pad list) and returns its name.
    mutating func int64s(_ stem: String, _ values: [Int]) -> String {
        let name = uniqueName(stem)
        initializers.message(5) { tensor in
            tensor.packedIntegers(1, [values.count])
            tensor.integer(2, 7)  // INT64
            tensor.string(8, name)
            var raw: [UInt8] = []
            raw.reserveCapacity(values.count * 8)
            for value in values { withUnsafeBytes(of: Int64(value).littleEndian) { raw.append(contentsOf: $0) } }
            tensor.bytes(9, raw)
        }
        return name
    }

    /// A matrix's elements in row order.
    static func elements(of matrix: Matrix) -> [Float] {
        matrix.withUnsafeBufferPointer { Array($0) }
    }

    /// The encoded `GraphProto` with `inputs` and `outputs` as float tensors whose first
    /// dimension is the symbolic batch size `N`.
    func graphProto(name: String, inputs: [(String, [Int])], outputs: [(String, [Int])], documentation: String) -> [UInt8] {
        var graph = ProtobufWriter()
        graph.append(nodes)
        graph.string(2, name)
        graph.append(initializers)
        graph.string(10, documentation)
        for (valueName, dimensions) in inputs { Self.valueInfo(11, valueName, dimensions, into: &graph) }
        for (valueName, dimensions) in outputs { Self.valueInfo(12, valueName, dimensions, into: &graph) }
        return graph.bytes
    }

    private static func valueInfo(_ field: Int, _ name: String, _ dimensions: [Int], into writer: inout ProtobufWriter) {
        writer.message(field) { info in
            info.string(1, name)
            info.message(2) { type in
                type.message(1) { tensor in
                    tensor.integer(1, 1)  // FLOAT
                    tensor.message(2) { shape in
                        shape.message(1) { $0.string(2, "N") }
                        for size in dimensions { shape.message(1) { $0.integer(1, size) } }
                    }
                }
            }
        }
    }
}
