import EmbeddingStore
import Foundation
import LinearAlgebra

/// The model-file container: the safetensors layout (an 8-byte little-endian header length, a
/// JSON header, then raw little-endian tensors, here each 64-byte aligned) with CRC-32 checksums
/// of the header and of every tensor, kept in the header's `__metadata__`, so a changed byte
/// anywhere is an error naming its section.
///
/// Reading maps the file; every shape and offset is checked against the file size before use.
public struct TensorContainer: Sendable {
    /// A tensor's element type.
    public enum ElementType: String, Sendable, Hashable {
        /// 32-bit float.
        case float32 = "F32"
        /// 16-bit float (IEEE half precision), for compact weights.
        case float16 = "F16"
        /// 32-bit signed integer.
        case int32 = "I32"
        /// Byte.
        case uint8 = "U8"
        /// bfloat16 (read from other tools' files, never written).
        case bfloat16 = "BF16"
        /// 64-bit signed integer (read from other tools' files, never written).
        case int64 = "I64"

        var size: Int {
            switch self {
            case .uint8: 1
            case .float16, .bfloat16: 2
            case .float32, .int32: 4
            case .int64: 8
            }
        }
    }

    /// A named tensor: its type, shape and bytes.
    public struct Tensor: Sendable {
        /// The element type.
        public let type: ElementType
        /// The shape.
        public let shape: [Int]
        /// The raw little-endian elements.
        public let bytes: [UInt8]

        /// A float tensor of `shape` holding `values`.
        /// - Precondition: the shape's product is `values.count`.
        public init(floats values: [Float], shape: [Int]) {
            precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values for shape \(shape)")
            type = .float32
            self.shape = shape
            bytes = values.withUnsafeBytes { Array($0) }
        }

        /// A half-precision float tensor of `shape` holding `values` rounded to the nearest float16.
        /// - Precondition: the shape's product is `values.count`.
        public init(halfFloats values: [Float], shape: [Int]) {
            precondition(shape.reduce(1, *) == values.count, "Tensor: \(values.count) values for shape \(shape)")
            type = .float16
            self.shape = shape
            bytes = values.map { Float16($0).bitPattern.littleEndian }.withUnsafeBytes { Array($0) }
        }

        /// An integer tensor of `values`.
        public init(integers values: [Int32]) {
            type = .int32
            shape = [values.count]
            bytes = values.withUnsafeBytes { Array($0) }
        }

        /// A byte tensor of `values`.
        public init(bytes values: [UInt8]) {
            type = .uint8
            shape = [values.count]
            bytes = values
        }

        /// A float tensor holding `matrix`.
        public init(_ matrix: Matrix) {
            self.init(floats: matrix.withUnsafeBufferPointer { Array($0) }, shape: [matrix.rows, matrix.columns])
        }
    }

    /// The string metadata (`__metadata__` without the checksums).
    public var metadata: [String: String]
    /// The tensors by name.
    public var tensors: [String: Tensor]

    /// A container of these parts.
    public init(metadata: [String: String], tensors: [String: Tensor]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    static let checksumKey = "embkit.checksums", headerChecksumKey = "embkit.header_crc32"
    static let placeholder = String(repeating: "0", count: 8)
    static let alignment = 64

    /// Writes the container to `path` atomically.
    /// - Throws: `EmbeddingFileError.cannotWrite`.
    public func write(to path: String) throws {
        let names = tensors.keys.sorted()
        var offset = 0
        var entries: [String: Any] = [:]
        var checksums: [String: String] = [:]
        for name in names {
            let tensor = tensors[name]!
            offset = (offset + Self.alignment - 1) / Self.alignment * Self.alignment
            entries[name] = ["dtype": tensor.type.rawValue, "shape": tensor.shape, "data_offsets": [offset, offset + tensor.bytes.count]]
            checksums[name] = tensor.bytes.withUnsafeBytes { Checksum.crc32Hex($0) }
            offset += tensor.bytes.count
        }
        var fullMetadata = metadata
        fullMetadata[Self.checksumKey] = String(decoding: try JSONSerialization.data(withJSONObject: checksums, options: .sortedKeys), as: UTF8.self)
        fullMetadata[Self.headerChecksumKey] = Self.placeholder
        entries["__metadata__"] = fullMetadata
        var header = Array(try JSONSerialization.data(withJSONObject: entries, options: .sortedKeys))
        // Spaces after the JSON put the first tensor on a 64-byte boundary.
        header += [UInt8](repeating: 0x20, count: (Self.alignment - (8 + header.count) % Self.alignment) % Self.alignment)
        let crc = header.withUnsafeBytes { Checksum.crc32Hex($0) }
        header = Self.replacingPlaceholder(in: header, with: crc)
        let writer = try AtomicFileWriter(path: path)
        try withUnsafeBytes(of: UInt64(header.count).littleEndian) { try writer.write($0) }
        try header.withUnsafeBytes { try writer.write($0) }
        let dataStart = writer.bytesWritten
        for name in names {
            try [UInt8](repeating: 0, count: (Self.alignment - (writer.bytesWritten - dataStart) % Self.alignment) % Self.alignment)
                .withUnsafeBytes { try writer.write($0) }
            try tensors[name]!.bytes.withUnsafeBytes { try writer.write($0) }
        }
        try writer.commit()
    }

    /// The header with the checksum placeholder (the value of `headerChecksumKey`) replaced.
    static func replacingPlaceholder(in header: [UInt8], with value: String) -> [UInt8] {
        let needle = Array("\"\(headerChecksumKey)\":\"".utf8)
        guard let start = header.firstRange(of: needle)?.upperBound else { return header }
        var result = header
        result.replaceSubrange(start..<(start + 8), with: Array(value.utf8))
        return result
    }
}
