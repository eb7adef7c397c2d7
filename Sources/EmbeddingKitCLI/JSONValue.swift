/// A JSON value that renders with keys in the order given and floats in their shortest
/// round-trip form (`0.82`, not `0.8199999928474426`).
enum JSONValue {
    case string(String)
    case integer(Int)
    case float(Float)
    case double(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([(String, JSONValue)])

    /// The compact JSON text.
    var rendered: String {
        switch self {
        case .string(let text): Self.quoted(text)
        case .integer(let value): String(value)
        case .float(let value): value.isFinite ? value.description : "null"
        case .double(let value): value.isFinite ? value.description : "null"
        case .bool(let value): value ? "true" : "false"
        case .array(let values): "[" + values.map(\.rendered).joined(separator: ",") + "]"
        case .object(let fields): "{" + fields.map { Self.quoted($0.0) + ":" + $0.1.rendered }.joined(separator: ",") + "}"
        }
    }

    private static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20: result += "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count) + String(scalar.value, radix: 16)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
