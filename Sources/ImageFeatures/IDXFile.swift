/// The IDX format of MNIST and Fashion-MNIST (gzipped or not): two zero bytes, a type byte
/// (0x08: unsigned bytes, the only type image sets use), the dimension count, each dimension as
/// a big-endian 32-bit integer, then the values in row-major order.
public struct IDXFile: Sendable {
    /// The dimensions (e.g. images × rows × columns, or labels).
    public let dimensions: [Int]
    /// The values, row-major.
    public let values: [UInt8]

    /// Reads an unsigned-byte IDX file.
    /// - Throws: `ImageFileError` naming the byte for a bad magic number, another element type,
    ///   a zero or impossible dimension, or a file whose length disagrees with its dimensions.
    public init(contentsOf path: String) throws {
        let bytes = try FileBytes.read(path)
        guard bytes.count >= 4, bytes[0] == 0, bytes[1] == 0 else {
            throw ImageFileError(path: path, byteOffset: 0, message: "not an IDX file (it must start with two zero bytes)")
        }
        guard bytes[2] == 0x08 else {
            throw ImageFileError(path: path, byteOffset: 2,
                                 message: "IDX element type 0x\(String(bytes[2], radix: 16)); image sets use unsigned bytes (0x08)")
        }
        let count = Int(bytes[3])
        guard (1...4).contains(count), bytes.count >= 4 + 4 * count else {
            throw ImageFileError(path: path, byteOffset: 3, message: "\(count) dimensions (1 to 4, each 4 bytes, are read)")
        }
        var dimensions: [Int] = [], total = 1
        for index in 0..<count {
            let offset = 4 + 4 * index
            let size = bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | Int($1) }
            let (product, overflow) = total.multipliedReportingOverflow(by: size)
            guard size > 0, !overflow, product <= bytes.count else {
                throw ImageFileError(path: path, byteOffset: offset,
                                     message: "dimension \(index + 1) is \(size), impossible for a file of \(bytes.count) bytes")
            }
            dimensions.append(size)
            total = product
        }
        let start = 4 + 4 * count
        guard bytes.count - start == total else {
            throw ImageFileError(path: path, byteOffset: min(bytes.count, start + total),
                                 message: "\(dimensions.map(String.init).joined(separator: " × ")) values need \(start + total) bytes, the file has \(bytes.count)")
        }
        self.dimensions = dimensions
        values = Array(bytes[start...])
    }
}
