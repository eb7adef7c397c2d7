import LinearAlgebra

/// A fastText matrix: dense float32 rows used in place in the mapping, or product-quantized
/// (`.ftz`: each row's sub-vectors are codes into 256 centroids, optionally times a quantized norm).
enum FastTextMatrix: @unchecked Sendable {
    case dense(UnsafeRawPointer, rows: Int, columns: Int)
    case quantized(QuantizedMatrix)

    var rows: Int {
        switch self {
        case .dense(_, let rows, _): rows
        case .quantized(let matrix): matrix.rows
        }
    }

    var columns: Int {
        switch self {
        case .dense(_, _, let columns): columns
        case .quantized(let matrix): matrix.quantizer.dimensions
        }
    }

    /// `vector += scale · row(index)`.
    func addRow(_ index: Int, scaledBy scale: Float = 1, to vector: UnsafeMutableBufferPointer<Float>) {
        switch self {
        case .dense(let base, _, let columns):
            Kernels.axpy(scale, base + index * columns * 4, vector)
        case .quantized(let matrix):
            matrix.addRow(index, scaledBy: scale, to: vector)
        }
    }

    /// `row(index) · vector`.
    func dotRow(_ index: Int, _ vector: UnsafeBufferPointer<Float>) -> Float {
        switch self {
        case .dense(let base, _, let columns):
            return Kernels.dot(base + index * columns * 4, UnsafeRawPointer(vector.baseAddress), count: columns)
        case .quantized(let matrix):
            return matrix.dotRow(index, vector)
        }
    }

    /// Reads a matrix at the cursor: dense when `quantized` is false (m, n, floats), else
    /// fastText's QuantMatrix layout.
    static func read(_ cursor: inout BinaryCursor, quantized: Bool, name: String) throws -> FastTextMatrix {
        guard quantized else {
            let rows = try cursor.int64(), columns = try cursor.int64()
            let start = cursor.offset
            try cursor.skipMatrix(rows: rows, columns: columns, name: name)
            return .dense(cursor.source.bytes.baseAddress! + start, rows: Int(rows), columns: Int(columns))
        }
        return .quantized(try QuantizedMatrix(&cursor, name: name))
    }
}

/// fastText's product quantizer: `nsubq` sub-vectors of `dsub` values (the last `lastdsub`),
/// each one of 256 centroids.
struct ProductQuantizer {
    let dimensions: Int, subquantizers: Int, subdimensions: Int, lastSubdimensions: Int
    let centroids: [Float]
    static let centroidCount = 256

    init(_ cursor: inout BinaryCursor) throws {
        let start = cursor.offset
        dimensions = Int(try cursor.int32())
        subquantizers = Int(try cursor.int32())
        subdimensions = Int(try cursor.int32())
        lastSubdimensions = Int(try cursor.int32())
        guard dimensions > 0, subquantizers > 0, subdimensions > 0, lastSubdimensions > 0,
              (subquantizers - 1) * subdimensions + lastSubdimensions == dimensions else {
            throw cursor.source.error(.byte(start), .badHeader, "impossible product quantizer \(dimensions)/\(subquantizers)/\(subdimensions)/\(lastSubdimensions)")
        }
        guard dimensions * Self.centroidCount * 4 <= cursor.remaining else {
            throw cursor.source.error(.byte(cursor.offset), .truncated,
                                      "the product quantizer needs \(dimensions * Self.centroidCount * 4) bytes of centroids; the file ends first")
        }
        var values = [Float](repeating: 0, count: dimensions * Self.centroidCount)
        for index in values.indices { values[index] = Float(bitPattern: UInt32(bitPattern: try cursor.int32())) }
        centroids = values
    }

    /// The offset in `centroids` of centroid `code` of sub-quantizer `part`.
    func centroidOffset(_ part: Int, _ code: UInt8) -> Int {
        part == subquantizers - 1
            ? part * Self.centroidCount * subdimensions + Int(code) * lastSubdimensions
            : (part * Self.centroidCount + Int(code)) * subdimensions
    }
}

/// fastText's QuantMatrix: codes per row, a product quantizer, and optionally quantized norms.
struct QuantizedMatrix {
    let rows: Int
    let codes: [UInt8]
    let quantizer: ProductQuantizer
    let normCodes: [UInt8]?
    let normQuantizer: ProductQuantizer?

    init(_ cursor: inout BinaryCursor, name: String) throws {
        let start = cursor.offset
        let quantizesNorms = try cursor.uint8() != 0
        let rows = try cursor.int64(), columns = try cursor.int64()
        let codeSize = Int(try cursor.int32())
        guard rows >= 0, columns > 0, codeSize >= 0, codeSize <= cursor.remaining else {
            throw cursor.source.error(.byte(start), .truncated, "the quantized \(name) matrix (\(rows) × \(columns), \(codeSize) code bytes) does not fit the file")
        }
        codes = try cursor.bytes(codeSize)
        quantizer = try ProductQuantizer(&cursor)
        let (expectedCodes, overflow) = Int(rows).multipliedReportingOverflow(by: quantizer.subquantizers)
        guard quantizer.dimensions == Int(columns), !overflow, codeSize == expectedCodes else {
            throw cursor.source.error(.byte(start), .badHeader, "the quantized \(name) matrix's codes do not match its shape")
        }
        if quantizesNorms {
            normCodes = try cursor.bytes(Int(rows))
            normQuantizer = try ProductQuantizer(&cursor)
        } else {
            normCodes = nil
            normQuantizer = nil
        }
        self.rows = Int(rows)
    }

    /// `row(index) · vector`, from the centroids without decoding the row.
    func dotRow(_ index: Int, _ vector: UnsafeBufferPointer<Float>) -> Float {
        let q = quantizer
        var sum: Float = 0
        q.centroids.withUnsafeBufferPointer { centroids in
            for part in 0..<q.subquantizers {
                let offset = q.centroidOffset(part, codes[index * q.subquantizers + part])
                let width = part == q.subquantizers - 1 ? q.lastSubdimensions : q.subdimensions
                for column in 0..<width { sum += centroids[offset + column] * vector[part * q.subdimensions + column] }
            }
        }
        guard let normCodes, let normQuantizer else { return sum }
        return sum * normQuantizer.centroids[normQuantizer.centroidOffset(0, normCodes[index])]
    }

    func addRow(_ index: Int, scaledBy scale: Float, to vector: UnsafeMutableBufferPointer<Float>) {
        var alpha = scale
        if let normCodes, let normQuantizer { alpha *= normQuantizer.centroids[normQuantizer.centroidOffset(0, normCodes[index])] }
        let q = quantizer
        for part in 0..<q.subquantizers {
            let code = codes[index * q.subquantizers + part]
            let offset = q.centroidOffset(part, code)
            let width = part == q.subquantizers - 1 ? q.lastSubdimensions : q.subdimensions
            for column in 0..<width { vector[part * q.subdimensions + column] += alpha * q.centroids[offset + column] }
        }
    }
}
