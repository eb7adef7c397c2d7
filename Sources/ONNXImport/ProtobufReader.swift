/// A bounds-checked reader of the protocol-buffer wire format over one message's bytes (a range
/// of a whole file), for the few ONNX messages the importer decodes. Every length is checked
/// against the bytes that remain before it is used, so a hostile file can only produce an error
/// naming the byte offset, never a read past the end or a huge allocation.
struct ProtobufReader {
    /// How a field's value is encoded.
    enum WireType: Int {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    /// One field's key.
    struct Field {
        let number: Int
        let wireType: WireType
    }

    let bytes: [UInt8]
    private(set) var position: Int
    let end: Int
    /// The file the bytes came from (for errors).
    let path: String

    /// A reader of `bytes[range]`.
    init(bytes: [UInt8], range: Range<Int>, path: String) {
        self.bytes = bytes
        self.position = range.lowerBound
        self.end = range.upperBound
        self.path = path
    }

    /// An error at the current position.
    func error(_ message: String) -> ONNXError { ONNXError(path: path, byteOffset: position, message: message) }

    /// The next field's key, or nil at the end of the message.
    mutating func nextField() throws -> Field? {
        guard position < end else { return nil }
        let key = try varint()
        guard let wireType = WireType(rawValue: Int(key & 7)), key >> 3 > 0, key >> 3 <= 536_870_911 else {
            throw error("bad protobuf field key \(key) (wire type \(key & 7))")
        }
        return Field(number: Int(key >> 3), wireType: wireType)
    }

    /// A base-128 varint.
    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        for shift in stride(from: 0, to: 64, by: 7) {
            guard position < end else { throw error("truncated varint") }
            let byte = bytes[position]
            position += 1
            result |= UInt64(byte & 0x7F) << UInt64(shift)
            if byte < 0x80 { return result }
        }
        throw error("varint longer than 10 bytes")
    }

    /// A varint as a signed 64-bit integer (two's complement, as int64 fields are encoded).
    mutating func int64() throws -> Int64 { Int64(bitPattern: try varint()) }

    /// A varint that must be a non-negative `Int` no larger than `limit`.
    mutating func count(limit: Int, what: String) throws -> Int {
        let value = try int64()
        guard value >= 0, value <= Int64(limit) else { throw error("\(what) \(value) out of range 0…\(limit)") }
        return Int(value)
    }

    /// Four little-endian bytes.
    mutating func fixed32() throws -> UInt32 {
        guard end - position >= 4 else { throw error("truncated 32-bit value") }
        defer { position += 4 }
        return UInt32(bytes[position]) | UInt32(bytes[position + 1]) << 8 | UInt32(bytes[position + 2]) << 16
            | UInt32(bytes[position + 3]) << 24
    }

    /// Eight little-endian bytes.
    mutating func fixed64() throws -> UInt64 {
        let low = UInt64(try fixed32())
        return low | UInt64(try fixed32()) << 32
    }

    /// The byte range of a length-delimited value, skipped over.
    mutating func lengthDelimited() throws -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(end - position) else {
            throw error("a field claims \(length) bytes; only \(end - position) remain in its message")
        }
        let start = position
        position += Int(length)
        return start..<position
    }

    /// A length-delimited value as UTF-8 text.
    mutating func string() throws -> String {
        let range = try lengthDelimited()
        guard let text = String(validating: bytes[range], as: UTF8.self) else {
            throw ONNXError(path: path, byteOffset: range.lowerBound, message: "a string is not valid UTF-8")
        }
        return text
    }

    /// A reader of an embedded message.
    mutating func message() throws -> ProtobufReader {
        ProtobufReader(bytes: bytes, range: try lengthDelimited(), path: path)
    }

    /// Skips the value of `field`.
    mutating func skip(_ field: Field) throws {
        switch field.wireType {
        case .varint: _ = try varint()
        case .fixed64: _ = try fixed64()
        case .lengthDelimited: _ = try lengthDelimited()
        case .fixed32: _ = try fixed32()
        }
    }

    /// Appends the values of a repeated varint field, packed or not.
    mutating func appendInt64s(_ field: Field, to values: inout [Int64]) throws {
        if field.wireType == .lengthDelimited {
            var packed = try message()
            while packed.position < packed.end { values.append(try packed.int64()) }
        } else {
            guard field.wireType == .varint else { throw error("field \(field.number) should hold integers") }
            values.append(try int64())
        }
    }

    /// Appends the values of a repeated float field, packed or not.
    mutating func appendFloats(_ field: Field, to values: inout [Float]) throws {
        if field.wireType == .lengthDelimited {
            let range = try lengthDelimited()
            guard range.count % 4 == 0 else { throw error("packed floats of \(range.count) bytes") }
            var packed = ProtobufReader(bytes: bytes, range: range, path: path)
            values.reserveCapacity(values.count + range.count / 4)
            while packed.position < packed.end { values.append(Float(bitPattern: try packed.fixed32())) }
        } else {
            guard field.wireType == .fixed32 else { throw error("field \(field.number) should hold floats") }
            values.append(Float(bitPattern: try fixed32()))
        }
    }

    /// Appends the values of a repeated double field, packed or not.
    mutating func appendDoubles(_ field: Field, to values: inout [Double]) throws {
        if field.wireType == .lengthDelimited {
            let range = try lengthDelimited()
            guard range.count % 8 == 0 else { throw error("packed doubles of \(range.count) bytes") }
            var packed = ProtobufReader(bytes: bytes, range: range, path: path)
            while packed.position < packed.end { values.append(Double(bitPattern: try packed.fixed64())) }
        } else {
            guard field.wireType == .fixed64 else { throw error("field \(field.number) should hold doubles") }
            values.append(Double(bitPattern: try fixed64()))
        }
    }

    /// Checks that `field` has `wireType`.
    func expect(_ field: Field, _ wireType: WireType, _ name: String) throws {
        guard field.wireType == wireType else { throw error("\(name) (field \(field.number)) has wire type \(field.wireType.rawValue)") }
    }
}
