import Foundation

extension ONNXModel {
    /// Decodes the ONNX file at `path`.
    /// - Throws: `ONNXError` naming the byte offset of a truncated or malformed message, and
    ///   for a file with no graph.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ONNXError(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        try self.init(bytes: [UInt8](data), path: path)
    }

    /// Decodes an ONNX model from its serialized bytes.
    /// - Throws: `ONNXError` as `init(contentsOf:)`.
    public init(bytes: [UInt8], path: String) throws {
        var reader = ProtobufReader(bytes: bytes, range: 0..<bytes.count, path: path)
        var sawGraph = false, producerName = "", producerVersion = ""
        while let field = try reader.nextField() {
            switch field.number {
            case 1: try reader.expect(field, .varint, "ir_version"); irVersion = try reader.int64()
            case 2: try reader.expect(field, .lengthDelimited, "producer_name"); producerName = try reader.string()
            case 3: try reader.expect(field, .lengthDelimited, "producer_version"); producerVersion = try reader.string()
            case 7:
                try reader.expect(field, .lengthDelimited, "graph")
                var message = try reader.message()
                graph = try ONNXGraph(decoding: &message)
                sawGraph = true
            case 8:
                try reader.expect(field, .lengthDelimited, "opset_import")
                var message = try reader.message()
                var domain = "", version: Int64 = 0
                while let inner = try message.nextField() {
                    switch (inner.number, inner.wireType) {
                    case (1, .lengthDelimited): domain = try message.string()
                    case (2, .varint): version = try message.int64()
                    default: try message.skip(inner)
                    }
                }
                if domain.isEmpty || domain == "ai.onnx" { opsetVersion = version }
            case 14:
                try reader.expect(field, .lengthDelimited, "metadata_props")
                var message = try reader.message()
                var key = "", value = ""
                while let inner = try message.nextField() {
                    switch (inner.number, inner.wireType) {
                    case (1, .lengthDelimited): key = try message.string()
                    case (2, .lengthDelimited): value = try message.string()
                    default: try message.skip(inner)
                    }
                }
                metadata[key] = value
            default: try reader.skip(field)
            }
        }
        producer = [producerName, producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        guard sawGraph else { throw ONNXError(path: path, message: "not an ONNX model: no graph (an empty or non-ONNX file?)") }
    }
}

extension ONNXGraph {
    init(decoding reader: inout ProtobufReader) throws {
        while let field = try reader.nextField() {
            switch field.number {
            case 1: try reader.expect(field, .lengthDelimited, "node"); var m = try reader.message(); nodes.append(try ONNXNode(decoding: &m))
            case 2: try reader.expect(field, .lengthDelimited, "name"); name = try reader.string()
            case 5:
                try reader.expect(field, .lengthDelimited, "initializer")
                var message = try reader.message()
                let tensor = try ONNXTensor(decoding: &message)
                guard initializers[tensor.name] == nil else { throw reader.error("two initializers are named '\(tensor.name)'") }
                initializers[tensor.name] = tensor
            case 11: try reader.expect(field, .lengthDelimited, "input"); var m = try reader.message(); inputs.append(try ONNXValueInfo(decoding: &m))
            case 12: try reader.expect(field, .lengthDelimited, "output"); var m = try reader.message(); outputs.append(try ONNXValueInfo(decoding: &m))
            default: try reader.skip(field)
            }
        }
    }
}

extension ONNXNode {
    init(decoding reader: inout ProtobufReader) throws {
        while let field = try reader.nextField() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): inputs.append(try reader.string())
            case (2, .lengthDelimited): outputs.append(try reader.string())
            case (3, .lengthDelimited): name = try reader.string()
            case (4, .lengthDelimited): opType = try reader.string()
            case (7, .lengthDelimited): domain = try reader.string()
            case (5, .lengthDelimited):
                var message = try reader.message()
                let (attributeName, value) = try ONNXAttribute.decode(&message)
                attributes[attributeName] = value
            default: try reader.skip(field)
            }
        }
    }
}

extension ONNXAttribute {
    static func decode(_ reader: inout ProtobufReader) throws -> (String, ONNXAttribute) {
        var name = "", type = 0
        var float: Float?, integer: Int64?, string: String?, tensor: ONNXTensor?
        var floats: [Float] = [], integers: [Int64] = [], strings: [String] = []
        while let field = try reader.nextField() {
            switch field.number {
            case 1: try reader.expect(field, .lengthDelimited, "attribute name"); name = try reader.string()
            case 20: try reader.expect(field, .varint, "attribute type"); type = try reader.count(limit: 1000, what: "attribute type")
            case 2: try reader.expect(field, .fixed32, "f"); float = Float(bitPattern: try reader.fixed32())
            case 3: try reader.expect(field, .varint, "i"); integer = try reader.int64()
            case 4:
                try reader.expect(field, .lengthDelimited, "s")
                let range = try reader.lengthDelimited()
                string = String(decoding: reader.bytes[range], as: UTF8.self)
            case 5: try reader.expect(field, .lengthDelimited, "t"); var m = try reader.message(); tensor = try ONNXTensor(decoding: &m)
            case 7: try reader.appendFloats(field, to: &floats)
            case 8: try reader.appendInt64s(field, to: &integers)
            case 9: try reader.expect(field, .lengthDelimited, "strings"); strings.append(try reader.string())
            default: try reader.skip(field)
            }
        }
        let value: ONNXAttribute = switch type {
        case 1: .float(float ?? 0)
        case 2: .integer(integer ?? 0)
        case 3: .string(string ?? "")
        case 4: tensor.map { .tensor($0) } ?? .unsupported(type: 4)
        case 6: .floats(floats)
        case 7: .integers(integers)
        case 8: .strings(strings)
        default:
            // Type 0 (undefined) in old files: infer from what was set.
            if type == 0, let float { .float(float) } else if type == 0, let integer { .integer(integer) }
            else if type == 0, let string { .string(string) } else if type == 0, let tensor { .tensor(tensor) }
            else if type == 0, !integers.isEmpty { .integers(integers) } else if type == 0, !floats.isEmpty { .floats(floats) }
            else { .unsupported(type: type) }
        }
        return (name, value)
    }
}

extension ONNXTensor {
    /// Decodes a serialized `TensorProto` (as ONNX's test data sets store each input and output).
    /// - Throws: `ONNXError` naming the byte offset of a truncated or malformed message.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ONNXError(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        let bytes = [UInt8](data)
        var reader = ProtobufReader(bytes: bytes, range: 0..<bytes.count, path: path)
        try self.init(decoding: &reader)
    }

    init(decoding reader: inout ProtobufReader) throws {
        path = reader.path
        byteOffset = reader.position
        var dims: [Int64] = [], floats: [Float] = [], doubles: [Double] = [], int64s: [Int64] = [], int32s: [Int64] = []
        var raw: Range<Int>?, external: [String: String] = [:], location = 0
        while let field = try reader.nextField() {
            switch field.number {
            case 1: try reader.appendInt64s(field, to: &dims)
            case 2: try reader.expect(field, .varint, "data_type"); dataTypeValue = try reader.count(limit: 1000, what: "data type")
            case 4: try reader.appendFloats(field, to: &floats)
            case 5: try reader.appendInt64s(field, to: &int32s)
            case 7: try reader.appendInt64s(field, to: &int64s)
            case 8: try reader.expect(field, .lengthDelimited, "name"); name = try reader.string()
            case 9: try reader.expect(field, .lengthDelimited, "raw_data"); raw = try reader.lengthDelimited()
            case 10: try reader.appendDoubles(field, to: &doubles)
            case 13:
                try reader.expect(field, .lengthDelimited, "external_data")
                var entry = try reader.message(), key = "", value = ""
                while let inner = try entry.nextField() {
                    switch (inner.number, inner.wireType) {
                    case (1, .lengthDelimited): key = try entry.string()
                    case (2, .lengthDelimited): value = try entry.string()
                    default: try entry.skip(inner)
                    }
                }
                external[key] = value
            case 14: try reader.expect(field, .varint, "data_location"); location = try reader.count(limit: 1, what: "data location")
            default: try reader.skip(field)
            }
        }
        guard dims.count <= 8 else { throw reader.error("tensor '\(name)' has \(dims.count) dimensions (at most 8 are supported)") }
        guard let converted = Optional(dims.compactMap { Int(exactly: $0) }), converted.count == dims.count else {
            throw reader.error("tensor '\(name)' has a dimension out of range")
        }
        dimensions = converted
        if location == 1 {
            guard let file = external["location"] else { throw reader.error("tensor '\(name)' is external but names no location") }
            guard let offset = Int(external["offset"] ?? "0") else { throw reader.error("tensor '\(name)' has a bad external offset") }
            var length: Int?
            if let text = external["length"] {
                guard let value = Int(text) else { throw reader.error("tensor '\(name)' has a bad external length") }
                length = value
            }
            storage = .external(location: file, offset: offset, length: length)
        } else if let raw {
            storage = .raw(bytes: reader.bytes, range: raw)
        } else if !floats.isEmpty {
            storage = .floats(floats)
        } else if !doubles.isEmpty {
            storage = .doubles(doubles)
        } else if !int64s.isEmpty {
            storage = .int64s(int64s)
        } else if !int32s.isEmpty {
            storage = .int32s(int32s)
        } else {
            storage = .floats([])  // empty: only valid when the dimensions say 0 elements
            if dataType == .int64 || dataType == .int32 { storage = .int64s([]) }
        }
    }
}

extension ONNXValueInfo {
    init(decoding reader: inout ProtobufReader) throws {
        while let field = try reader.nextField() {
            switch (field.number, field.wireType) {
            case (1, .lengthDelimited): name = try reader.string()
            case (2, .lengthDelimited):
                var type = try reader.message()
                while let typeField = try type.nextField() {
                    guard typeField.number == 1, typeField.wireType == .lengthDelimited else { try type.skip(typeField); continue }
                    var tensor = try type.message()
                    while let tensorField = try tensor.nextField() {
                        switch (tensorField.number, tensorField.wireType) {
                        case (1, .varint): elementType = try tensor.count(limit: 1000, what: "element type")
                        case (2, .lengthDelimited):
                            var shape = try tensor.message()
                            var dims: [Dimension] = []
                            while let dimField = try shape.nextField() {
                                guard dimField.number == 1, dimField.wireType == .lengthDelimited else { try shape.skip(dimField); continue }
                                var dim = try shape.message(), value = Dimension.symbolic("?")
                                while let inner = try dim.nextField() {
                                    switch (inner.number, inner.wireType) {
                                    case (1, .varint): value = .fixed(try dim.int64())
                                    case (2, .lengthDelimited): value = .symbolic(try dim.string())
                                    default: try dim.skip(inner)
                                    }
                                }
                                dims.append(value)
                            }
                            dimensions = dims
                        default: try tensor.skip(tensorField)
                        }
                    }
                }
            default: try reader.skip(field)
            }
        }
    }
}
