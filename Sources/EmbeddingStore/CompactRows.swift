import LinearAlgebra
import LinearAlgebraKernels
import Synchronization

/// The rows of a compact native file, used in place in the mapping: float16 values, or int8 codes
/// with one float32 scale per row; optionally a float32 copy of every row beside them, which
/// lookups read and searches use to re-rank their candidates exactly.
struct CompactRows: @unchecked Sendable {
    /// Keeps the mapping alive.
    let file: MappedFile
    let precision: VectorPrecision
    let dimensions: Int
    /// The first stored row.
    let codes: UnsafeRawPointer
    /// One scale per row (int8 only).
    let scales: UnsafePointer<Float>?
    /// The first row of the float32 copy, when the file has one.
    let exactCopy: UnsafeRawPointer?
    /// The largest |x̂ − x| / |x| over the rows: no cosine with a unit query computed from a stored
    /// row (with the row's float32 norm) is farther than this from the float32 cosine.
    let cosineErrorBound: Float
    /// Every row decoded to float32, made on first use by callers that keep row addresses.
    let decoded = DecodedRows()

    private var rowBytes: Int { dimensions * precision.bytesPerValue }

    /// Writes the float32 values row `index` stands for to `output` (`dimensions` floats).
    func decode(_ index: Int, into output: UnsafeMutablePointer<Float>) {
        let row = codes + index * rowBytes
        switch precision {
        case .float32:
            preconditionFailure("float32 rows are not compact")
        case .float16:
            ek_f16_to_f32(InstructionSet.detected.kernelValue, dimensions, row, output)
        case .int8:
            let scale = scales![index]
            let values = row.assumingMemoryBound(to: Int8.self)
            for column in 0..<dimensions { output[column] = Float(values[column]) * scale }
        }
    }

    /// A query vector in the form the compact dot products take: the floats, and for int8 rows
    /// int16 codes with their scale (the integer sums are exact; the query's rounding is ≤ 1/65,534
    /// of its largest value).
    struct Query {
        let values: [Float]
        let codes: [Int16]
        let scale: Float
    }

    func prepare(_ vector: UnsafeBufferPointer<Float>) -> Query {
        guard precision == .int8 else { return Query(values: Array(vector), codes: [], scale: 0) }
        let largest = vector.reduce(Float(0)) { Swift.max($0, abs($1)) }
        guard largest > 0, largest.isFinite else { return Query(values: Array(vector), codes: Array(repeating: 0, count: vector.count), scale: 0) }
        let scale = largest / 32767
        return Query(values: Array(vector), codes: vector.map { Int16(($0 / scale).rounded()) }, scale: scale)
    }

    /// `output[r] = query · row (rows.lowerBound + r)` from the stored rows.
    func dots(_ query: Query, rows: Range<Int>, into output: UnsafeMutablePointer<Float>) {
        let isa = InstructionSet.detected.kernelValue
        let first = codes + rows.lowerBound * rowBytes
        switch precision {
        case .float32:
            preconditionFailure("float32 rows are not compact")
        case .float16:
            query.values.withUnsafeBufferPointer { ek_gemv_f16(isa, rows.count, dimensions, first, dimensions, $0.baseAddress, output) }
        case .int8:
            query.codes.withUnsafeBufferPointer {
                ek_gemv_i8(isa, rows.count, dimensions, first, dimensions, $0.baseAddress, scales! + rows.lowerBound, query.scale, output)
            }
        }
    }

    /// The address of row `index` in the float32 copy, nil without one.
    func exactRow(_ index: Int) -> UnsafeRawPointer? { exactCopy.map { $0 + index * dimensions * 4 } }
}

/// Turns float32 rows into a compact file's stored rows.
struct CompactRowEncoder {
    let precision: VectorPrecision
    let dimensions: Int
    /// The largest |x̂ − x| / |x| so far.
    private(set) var cosineErrorBound: Float = 0
    private var aligned: [Float]
    private var decoded: [Float]

    init(precision: VectorPrecision, dimensions: Int) {
        self.precision = precision
        self.dimensions = dimensions
        aligned = Array(repeating: 0, count: dimensions)
        decoded = Array(repeating: 0, count: dimensions)
    }

    /// The stored bytes of `row` (float32 values at any address) and its scale (int8; else 1).
    /// - Precondition: `precision` is float16 or int8 (float32 rows are written as they are).
    /// - Throws: a message when the row cannot be stored in this precision (non-finite values,
    ///   float16 beyond ±65,504).
    mutating func encode(_ row: UnsafeRawPointer, into bytes: inout [UInt8]) throws(CompactEncodingError) -> Float {
        let count = dimensions
        aligned.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: row, count: count * 4)) }
        if let bad = aligned.first(where: { !$0.isFinite }) { throw .notFinite(bad) }
        var scale: Float = 1
        switch precision {
        case .float32:
            preconditionFailure("float32 rows are written as they are")
        case .float16:
            if let large = aligned.first(where: { abs($0) > 65504 }) { throw .beyondHalfRange(large) }
            bytes = Array(repeating: 0, count: count * 2)
            let isa = InstructionSet.detected.kernelValue
            bytes.withUnsafeMutableBytes { ek_f32_to_f16(isa, count, aligned, $0.baseAddress!) }
            bytes.withUnsafeBytes { half in decoded.withUnsafeMutableBufferPointer { ek_f16_to_f32(isa, count, half.baseAddress!, $0.baseAddress!) } }
        case .int8:
            let largest = aligned.reduce(Float(0)) { Swift.max($0, abs($1)) }
            scale = largest / 127
            bytes = aligned.map { scale > 0 ? UInt8(bitPattern: Int8(($0 / scale).rounded())) : 0 }
            for index in 0..<count { decoded[index] = Float(Int8(bitPattern: bytes[index])) * scale }
        }
        var difference = 0.0, squares = 0.0
        for index in 0..<count {
            let value = Double(aligned[index])
            difference += (Double(decoded[index]) - value) * (Double(decoded[index]) - value)
            squares += value * value
        }
        if squares > 0 { cosineErrorBound = Swift.max(cosineErrorBound, Float(((difference / squares).squareRoot() * (1 + 1e-6)).nextUp)) }
        return scale
    }
}

/// Why a row cannot be stored compactly.
enum CompactEncodingError: Error {
    case notFinite(Float)
    case beyondHalfRange(Float)

    var message: String {
        switch self {
        case .notFinite(let value): "holds \(value), which a compact file cannot store"
        case .beyondHalfRange(let value): "holds \(value), beyond float16's ±65,504 (use int8 or float32)"
        }
    }
}

/// Every row of compact storage decoded to float32 once, on first use (on all cores), for callers
/// that keep row addresses (a frozen embedding bag); 4 bytes per value in memory.
///
/// `@unchecked Sendable`: the buffer is written once under the mutex and only read after.
final class DecodedRows: @unchecked Sendable {
    private let buffer = Mutex<UnsafeMutableBufferPointer<Float>?>(nil)

    /// The decoded rows of `rows`, `count` × `dimensions` floats.
    func values(of rows: CompactRows, count: Int) -> UnsafePointer<Float> {
        buffer.withLock { cached in
            if let cached { return UnsafePointer(cached.baseAddress!) }
            let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count * rows.dimensions))
            let target = SharedPointer(base: values.baseAddress!)
            Parallelism.available.forEachChunk(of: count, minimumChunkSize: 4096) { chunk in
                for row in chunk { rows.decode(row, into: target.base + row * rows.dimensions) }
            }
            cached = values
            return UnsafePointer(values.baseAddress!)
        }
    }

    deinit {
        buffer.withLock { $0?.deallocate() }
    }
}
