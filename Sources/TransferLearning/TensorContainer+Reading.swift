import EmbeddingStore
import Foundation

extension TensorContainer {
    /// Reads and checks a container: the header's checksum, then each tensor's shape, offsets and
    /// checksum.
    /// - Throws: `ModelFileError` naming the file and the damaged section or byte offset.
    public init(contentsOf path: String) throws {
        try self.init(reading: path, checksummed: true)
    }

    /// Reads a safetensors file another tool wrote (a Hugging Face `model.safetensors`): the same
    /// layout without checksums, so every shape and offset is checked but a changed weight cannot
    /// be told; non-finite weights are refused all the same.
    /// - Throws: `ModelFileError` naming the file and the tensor or byte offset.
    public init(safetensors path: String) throws {
        try self.init(reading: path, checksummed: false)
    }

    private init(reading path: String, checksummed: Bool) throws {
        let file: MappedFile
        do { file = try MappedFile(path: path) } catch let error as EmbeddingFileError {
            throw ModelFileError(path: path, message: "cannot open the model file: \(error.message)")
        }
        let bytes = file.bytes
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        guard bytes.count >= 8 else { throw fail("byte 0: \(bytes.count) bytes, too short for a model file") }
        let headerLength = bytes.loadUnaligned(as: UInt64.self).littleEndian
        guard headerLength >= 2, headerLength <= UInt64(bytes.count - 8), headerLength <= 1 << 30 else {
            throw fail("byte 0: the header length \(headerLength) does not fit the file's \(bytes.count) bytes (not an EmbeddingKit model, or truncated)")
        }
        let header = Array(UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + Int(headerLength))]))
        guard let object = try? JSONSerialization.jsonObject(with: Data(header)) as? [String: Any],
              let metadata = object["__metadata__"] as? [String: String] ?? (checksummed ? nil : [:]) else {
            throw fail("byte 8: the header is not a JSON object with string metadata")
        }
        var checksums: [String: String]?
        if checksummed {
            guard let recorded = metadata[Self.headerChecksumKey], recorded.utf8.count == 8 else {
                throw fail("byte 8: the header has no checksum (not written by EmbeddingKit)")
            }
            let actual = Self.replacingPlaceholder(in: header, with: Self.placeholder).withUnsafeBytes { Checksum.crc32Hex($0) }
            guard actual == recorded else { throw fail("header (bytes 8..<\(8 + headerLength)): checksum mismatch, the file is damaged") }
            guard let checksumText = metadata[Self.checksumKey],
                  let recordedSums = try? JSONSerialization.jsonObject(with: Data(checksumText.utf8)) as? [String: String] else {
                throw fail("header: no tensor checksums")
            }
            checksums = recordedSums
        }
        let dataStart = 8 + Int(headerLength)
        var tensors: [String: Tensor] = [:]
        var covered: [Range<Int>] = []
        for (name, value) in object where name != "__metadata__" {
            guard let entry = value as? [String: Any], let typeName = entry["dtype"] as? String,
                  let type = ElementType(rawValue: typeName), let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("header: tensor '\(name)' has no valid dtype, shape and data_offsets")
            }
            let (count, overflow) = shape.reduce((1, false)) { partial, size in
                guard size >= 0, !partial.1 else { return (0, true) }
                let product = partial.0.multipliedReportingOverflow(by: size)
                return (product.partialValue, product.overflow)
            }
            guard !overflow, offsets[0] >= 0, offsets[1] >= offsets[0], count.multipliedReportingOverflow(by: type.size).overflow == false,
                  offsets[1] - offsets[0] == count * type.size, offsets[1] <= bytes.count - dataStart else {
                throw fail("tensor '\(name)': shape \(shape) and offsets \(offsets) do not fit the file")
            }
            let section = UnsafeRawBufferPointer(rebasing: bytes[(dataStart + offsets[0])..<(dataStart + offsets[1])])
            if let checksums, Checksum.crc32Hex(section) != checksums[name] {
                throw fail("tensor '\(name)' (byte \(dataStart + offsets[0])): checksum mismatch, the file is damaged")
            }
            if let element = Self.firstNonFinite(section, type: type) {
                throw fail("tensor '\(name)' element \(element) is NaN or infinite: the weights are broken (a training run that diverged?)")
            }
            tensors[name] = Tensor(type: type, shape: shape, bytes: Array(section))
            covered.append((dataStart + offsets[0])..<(dataStart + offsets[1]))
        }
        // Bytes between tensors are alignment padding: zeros, and nothing after the last tensor.
        var position = dataStart
        for range in covered.sorted(by: { ($0.lowerBound, $0.upperBound) < ($1.lowerBound, $1.upperBound) }) {
            guard range.lowerBound >= position else { throw fail("tensor at byte \(range.lowerBound) overlaps another") }
            if let nonzero = (position..<range.lowerBound).first(where: { bytes[$0] != 0 }) {
                throw fail("byte \(nonzero): padding between tensors is not zero, the file is damaged")
            }
            position = range.upperBound
        }
        guard position == bytes.count else { throw fail("byte \(position): \(bytes.count - position) bytes after the last tensor") }
        self.init(metadata: metadata.filter { $0.key != Self.checksumKey && $0.key != Self.headerChecksumKey }, tensors: tensors)
    }
}

extension TensorContainer {
    /// The index of the first NaN or infinity among float elements (nil for integers, or when all are finite).
    static func firstNonFinite(_ bytes: UnsafeRawBufferPointer, type: ElementType) -> Int? {
        switch type {
        case .float32:
            return (0..<(bytes.count / 4)).first { bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self) & 0x7F80_0000 == 0x7F80_0000 }
        case .float16:
            return (0..<(bytes.count / 2)).first { bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self) & 0x7C00 == 0x7C00 }
        case .bfloat16:
            return (0..<(bytes.count / 2)).first { bytes.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self) & 0x7F80 == 0x7F80 }
        case .int32, .int64, .uint8:
            return nil
        }
    }
}

extension TensorContainer.Tensor {
    init(type: TensorContainer.ElementType, shape: [Int], bytes: [UInt8]) {
        self.type = type
        self.shape = shape
        self.bytes = bytes
    }

    /// The elements as floats (half-precision ones widened).
    /// - Throws: `ModelFileError` when the tensor is not of floats.
    public func floats(in path: String, name: String) throws -> [Float] {
        switch type {
        case .float32:
            return bytes.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
        case .float16:
            return bytes.withUnsafeBytes { raw in
                (0..<(raw.count / 2)).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self)))) }
            }
        case .bfloat16:
            return bytes.withUnsafeBytes { raw in
                (0..<(raw.count / 2)).map { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))) << 16) }
            }
        case .int32, .int64, .uint8:
            throw ModelFileError(path: path, message: "tensor '\(name)' holds \(type.rawValue), not F32, F16 or BF16")
        }
    }

    /// The elements as integers.
    /// - Throws: `ModelFileError` when the tensor is not of 32-bit integers.
    public func integers(in path: String, name: String) throws -> [Int32] {
        guard type == .int32 else { throw ModelFileError(path: path, message: "tensor '\(name)' holds \(type.rawValue), not I32") }
        return bytes.withUnsafeBytes { raw in (0..<(raw.count / 4)).map { raw.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self) } }
    }
}
