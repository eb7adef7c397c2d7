import Foundation

/// An ONNX `TensorProto`: dimensions, element type and where its values are — a range of the
/// model file's bytes (`raw_data`), typed values decoded from the message, or an external file.
/// Values are read only on request, after checking their count against the dimensions.
public struct ONNXTensor: Sendable {
    /// ONNX element types (`TensorProto.DataType`).
    public enum DataType: Int, Sendable {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7, string = 8, bool = 9
        case float16 = 10, double = 11, uint32 = 12, uint64 = 13

        /// Bytes per element in `raw_data` (nil for strings).
        var byteWidth: Int? {
            switch self {
            case .uint8, .int8, .bool: 1
            case .uint16, .int16, .float16: 2
            case .float, .int32, .uint32: 4
            case .int64, .double, .uint64: 8
            case .string: nil
            }
        }
    }

    /// Where the values are stored.
    enum Storage: Sendable {
        /// Little-endian bytes: `bytes[range]` (the model file's, or an external file's).
        case raw(bytes: [UInt8], range: Range<Int>)
        case floats([Float])
        case doubles([Double])
        /// `int64_data`.
        case int64s([Int64])
        /// `int32_data`, which also holds the narrower integer types, bool and float16 bits.
        case int32s([Int64])
        /// `data_location = EXTERNAL`: a file relative to the model, an offset and a length.
        case external(location: String, offset: Int, length: Int?)
        case none
    }

    /// The tensor's name.
    public var name = ""
    /// The dimensions (empty for a scalar).
    public var dimensions: [Int] = []
    /// The element type's raw value (see `DataType`).
    public var dataTypeValue = 0
    var storage = Storage.none
    /// The file it came from and the byte offset of its message (for errors).
    var path = ""
    var byteOffset = 0

    /// The element type, when one the importer knows.
    public var dataType: DataType? { DataType(rawValue: dataTypeValue) }

    /// The number of elements (the product of the dimensions; 1 for a scalar).
    /// - Throws: `ONNXError` for a negative dimension or a product beyond 2⁴⁰.
    public func elementCount() throws -> Int {
        var count = 1
        for dimension in dimensions {
            guard dimension >= 0 else { throw error("tensor '\(name)' has a negative dimension \(dimension)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= 1 << 40 else { throw error("tensor '\(name)' claims more than 2^40 elements") }
            count = product
        }
        return count
    }

    private func error(_ message: String) -> ONNXError { ONNXError(path: path, byteOffset: byteOffset, message: message) }

    /// The values as floats (float, float16, double and integer tensors convert).
    /// - Throws: `ONNXError` when the stored count disagrees with the dimensions or the type is unusable.
    public func floatValues(modelFolder: String? = nil) throws -> [Float] {
        let count = try elementCount()
        switch try resolved(modelFolder: modelFolder) {
        case .floats(let values): return try checked(values, count)
        case .doubles(let values): return try checked(values, count).map(Float.init)
        case .int64s(let values): return try checked(values, count).map(Float.init)
        case .int32s(let values):
            if dataType == .float16 { return try checked(values, count).map { Float(Float16(bitPattern: UInt16(truncatingIfNeeded: $0))) } }
            return try checked(values, count).map(Float.init)
        case .raw(let bytes, let range):
            return try rawValues(bytes, range, count) { pointer, index in
                switch dataType {
                case .float: Float(bitPattern: pointer.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self).littleEndian)
                case .float16: Float(Float16(bitPattern: pointer.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian))
                case .double: Float(Double(bitPattern: pointer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).littleEndian))
                default: Float(Self.integer(pointer, index, dataType!))
                }
            }
        case .external, .none: return try checked([Float](), count)
        }
    }

    /// The values as 64-bit integers (integer and bool tensors; floats are refused).
    /// - Throws: `ONNXError` when the stored count disagrees with the dimensions or the type is not an integer type.
    public func integerValues(modelFolder: String? = nil) throws -> [Int64] {
        let count = try elementCount()
        guard let type = dataType, ![.float, .float16, .double, .string].contains(type) else {
            throw error("tensor '\(name)' should hold integers, not element type \(dataTypeValue)")
        }
        switch try resolved(modelFolder: modelFolder) {
        case .int64s(let values), .int32s(let values): return try checked(values, count)
        case .raw(let bytes, let range): return try rawValues(bytes, range, count) { Self.integer($0, $1, type) }
        default: return try checked([Int64](), count)
        }
    }

    private static func integer(_ pointer: UnsafeRawPointer, _ index: Int, _ type: DataType) -> Int64 {
        switch type {
        case .uint8, .bool: Int64(pointer.load(fromByteOffset: index, as: UInt8.self))
        case .int8: Int64(pointer.load(fromByteOffset: index, as: Int8.self))
        case .uint16: Int64(pointer.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self).littleEndian)
        case .int16: Int64(pointer.loadUnaligned(fromByteOffset: index * 2, as: Int16.self).littleEndian)
        case .int32: Int64(pointer.loadUnaligned(fromByteOffset: index * 4, as: Int32.self).littleEndian)
        case .uint32: Int64(pointer.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self).littleEndian)
        case .uint64: Int64(bitPattern: pointer.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self).littleEndian)
        default: pointer.loadUnaligned(fromByteOffset: index * 8, as: Int64.self).littleEndian
        }
    }

    private func checked<T>(_ values: [T], _ count: Int) throws -> [T] {
        guard values.count == count else {
            throw error("tensor '\(name)' of dimensions \(dimensions) should hold \(count) values, not \(values.count)")
        }
        return values
    }

    private func rawValues<T>(_ bytes: [UInt8], _ range: Range<Int>, _ count: Int, _ value: (UnsafeRawPointer, Int) -> T) throws -> [T] {
        guard let width = dataType?.byteWidth else { throw error("tensor '\(name)' has unusable element type \(dataTypeValue)") }
        guard range.count == count * width else {
            throw error("tensor '\(name)' of dimensions \(dimensions) should hold \(count * width) bytes, not \(range.count)")
        }
        return bytes.withUnsafeBytes { buffer in
            let base = buffer.baseAddress! + range.lowerBound
            return (0..<count).map { value(base, $0) }
        }
    }

    /// The storage, with external data read from its file (a path inside the model's folder).
    private func resolved(modelFolder: String?) throws -> Storage {
        guard case .external(let location, let offset, let length) = storage else { return storage }
        guard let modelFolder else { throw error("tensor '\(name)' is stored in an external file and the model's folder is unknown") }
        let parts = location.split(separator: "/", omittingEmptySubsequences: false)
        guard !location.isEmpty, !location.hasPrefix("/"), !parts.contains(".."), !location.contains("\0") else {
            throw error("tensor '\(name)': external data location '\(location)' must be a path inside the model's folder")
        }
        let file = (modelFolder as NSString).appendingPathComponent(location)
        guard let handle = FileHandle(forReadingAtPath: file) else { throw error("tensor '\(name)': cannot open external data file \(file)") }
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        let wanted = try length ?? (elementCount() * (dataType?.byteWidth ?? 0))
        guard offset >= 0, wanted >= 0, offset <= size, wanted <= size - offset else {
            throw error("tensor '\(name)': bytes \(offset)..<\(offset + wanted) lie outside \(file) (\(size) bytes)")
        }
        try handle.seek(toOffset: UInt64(offset))
        let data = try handle.read(upToCount: wanted) ?? Data()
        guard data.count == wanted else { throw error("tensor '\(name)': \(file) ended early") }
        return .raw(bytes: [UInt8](data), range: 0..<wanted)
    }
}
