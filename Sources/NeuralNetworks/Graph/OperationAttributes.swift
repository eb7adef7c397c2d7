/// The named settings of an operation (kernel sizes, axes, rates), as ONNX keeps them: what model
/// files store and what the ONNX importer and exporter translate.
public struct OperationAttributes: Sendable, Hashable, Codable, ExpressibleByDictionaryLiteral {
    /// One attribute's value.
    public enum Value: Sendable, Hashable, Codable {
        /// An integer.
        case integer(Int)
        /// A list of integers.
        case integers([Int])
        /// A float (finite: JSON has no infinity).
        case float(Float)
        /// A list of floats.
        case floats([Float])
        /// A string.
        case string(String)
    }

    /// The attributes by name.
    public var values: [String: Value]

    /// Attributes from name–value pairs.
    public init(dictionaryLiteral elements: (String, Value)...) {
        values = Dictionary(elements, uniquingKeysWith: { $1 })
    }

    /// Attributes from a dictionary.
    public init(_ values: [String: Value]) { self.values = values }

    /// Reads the attributes as one JSON object of name to value.
    public init(from decoder: any Decoder) throws {
        values = try decoder.singleValueContainer().decode([String: Value].self)
    }

    /// Writes the attributes as one JSON object of name to value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }

    /// The integer `name`, or `fallback` when absent.
    /// - Throws: `OperationError` when it is another kind of value or outside `range`.
    public func integer(_ name: String, default fallback: Int? = nil, in range: ClosedRange<Int> = Int.min...Int.max) throws -> Int {
        switch values[name] {
        case .integer(let value)?:
            guard range.contains(value) else { throw OperationError("attribute '\(name)' is \(value), outside \(range)") }
            return value
        case nil:
            guard let fallback else { throw OperationError("attribute '\(name)' is missing") }
            return fallback
        default: throw OperationError("attribute '\(name)' should be an integer")
        }
    }

    /// The integer list `name`, or `fallback` when absent.
    /// - Throws: `OperationError` when it is another kind of value, has another count than
    ///   `count` (when given), or has an element outside `range`.
    public func integers(_ name: String, default fallback: [Int]? = nil, count: Int? = nil,
                         in range: ClosedRange<Int> = Int.min...Int.max) throws -> [Int] {
        let result: [Int]
        switch values[name] {
        case .integers(let value)?: result = value
        case .integer(let value)?: result = [value]
        case nil:
            guard let fallback else { throw OperationError("attribute '\(name)' is missing") }
            result = fallback
        default: throw OperationError("attribute '\(name)' should be a list of integers")
        }
        if let count, result.count != count { throw OperationError("attribute '\(name)' has \(result.count) values, not \(count)") }
        guard result.allSatisfy(range.contains) else { throw OperationError("attribute '\(name)' \(result) has a value outside \(range)") }
        return result
    }

    /// The float `name`, or `fallback` when absent.
    /// - Throws: `OperationError` when it is another kind of value or not finite.
    public func float(_ name: String, default fallback: Float? = nil) throws -> Float {
        switch values[name] {
        case .float(let value)?:
            guard value.isFinite else { throw OperationError("attribute '\(name)' is not finite") }
            return value
        case .integer(let value)?: return Float(value)
        case nil:
            guard let fallback else { throw OperationError("attribute '\(name)' is missing") }
            return fallback
        default: throw OperationError("attribute '\(name)' should be a float")
        }
    }

    /// The float `name` when present.
    /// - Throws: as `float(_:default:)`.
    public func optionalFloat(_ name: String) throws -> Float? {
        values[name] == nil ? nil : try float(name)
    }

    /// The string `name`, or `fallback` when absent.
    /// - Throws: `OperationError` when it is another kind of value or not one of `allowed` (when given).
    public func string(_ name: String, default fallback: String? = nil, allowed: Set<String>? = nil) throws -> String {
        let result: String
        switch values[name] {
        case .string(let value)?: result = value
        case nil:
            guard let fallback else { throw OperationError("attribute '\(name)' is missing") }
            result = fallback
        default: throw OperationError("attribute '\(name)' should be a string")
        }
        if let allowed, !allowed.contains(result) { throw OperationError("attribute '\(name)' is '\(result)', not one of \(allowed.sorted())") }
        return result
    }
}

extension OperationAttributes.Value {
    private enum CodingKeys: String, CodingKey { case integer, integers, float, floats, string }

    /// Reads `{"integer": 3}`, `{"floats": [0.5, 1]}`, … (one key naming the kind).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard container.allKeys.count == 1, let key = container.allKeys.first else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "an attribute value has one kind"))
        }
        switch key {
        case .integer: self = .integer(try container.decode(Int.self, forKey: key))
        case .integers: self = .integers(try container.decode([Int].self, forKey: key))
        case .float: self = .float(try container.decode(Float.self, forKey: key))
        case .floats: self = .floats(try container.decode([Float].self, forKey: key))
        case .string: self = .string(try container.decode(String.self, forKey: key))
        }
    }

    /// Writes one key naming the kind, with the value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .integer(let value): try container.encode(value, forKey: .integer)
        case .integers(let value): try container.encode(value, forKey: .integers)
        case .float(let value): try container.encode(value, forKey: .float)
        case .floats(let value): try container.encode(value, forKey: .floats)
        case .string(let value): try container.encode(value, forKey: .string)
        }
    }
}
