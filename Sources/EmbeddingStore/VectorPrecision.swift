/// How a native file stores the values of its matrix.
///
/// Compact files keep the float32 norms of the original rows, so a cosine computed from a compact
/// row differs from the float32 cosine by at most the file's `cosineErrorBound` (for any query).
public enum VectorPrecision: String, Sendable, CaseIterable, Codable {
    /// 4 bytes per value, as read.
    case float32
    /// 2 bytes per value: IEEE half precision (values beyond ±65,504 cannot be stored).
    case float16
    /// 1 byte per value: `round(value / scale)` with one float32 `scale = max |value| / 127` per row.
    case int8

    /// Bytes per stored value.
    public var bytesPerValue: Int {
        switch self {
        case .float32: 4
        case .float16: 2
        case .int8: 1
        }
    }

    /// The precision a command-line value names: `f32`/`float32`, `f16`/`float16` or `int8`.
    public init?(option: String) {
        switch option.lowercased() {
        case "f32", "float32": self = .float32
        case "f16", "float16", "half": self = .float16
        case "int8", "i8": self = .int8
        default: return nil
        }
    }

    /// The code stored in a native file's header.
    var code: UInt32 {
        switch self {
        case .float32: 0
        case .float16: 1
        case .int8: 2
        }
    }

    init?(code: UInt32) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}
