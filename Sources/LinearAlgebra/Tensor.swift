/// An owned tensor of any rank with value semantics (copy-on-write), 64-byte aligned, row-major:
/// 32-bit floats (activations, weights, gradients) or 32-bit integers (token ids, offsets).
///
/// A `Matrix` and a rank-2 tensor of the same elements share their storage, so converting
/// between them copies nothing until one of them is written.
public struct Tensor: Sendable {
    /// What each element is.
    public enum ElementType: String, Sendable, Hashable, Codable {
        /// IEEE 754 single precision.
        case float32
        /// Signed 32-bit integers.
        case int32
    }

    /// The size of each dimension, outermost first (empty for a scalar).
    public let shape: [Int]
    /// What the elements are.
    public let elementType: ElementType
    /// The elements; integers reuse the same four-byte slots.
    private var storage: AlignedStorage

    /// The number of elements of `shape`, or nil when a dimension is negative or the product
    /// overflows (a shape read from a file is checked with this before anything is allocated).
    public static func elementCount(of shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            guard dimension >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    private static func checkedCount(_ shape: [Int]) -> Int {
        guard let count = elementCount(of: shape) else { preconditionFailure("Tensor: invalid shape \(shape)") }
        return count
    }

    /// A float tensor of zeros.
    /// - Precondition: no dimension is negative.
    /// - Complexity: O(elements).
    public init(zeros shape: [Int]) {
        self.shape = shape
        elementType = .float32
        storage = AlignedStorage(count: Self.checkedCount(shape))
    }

    /// A float tensor of `value` everywhere.
    public init(repeating value: Float, shape: [Int]) {
        self.init(zeros: shape)
        storage.buffer.update(repeating: value)
    }

    /// A float tensor from row-major elements.
    /// - Precondition: `elements.count` is the shape's element count.
    public init(shape: [Int], elements: [Float]) {
        self.init(zeros: shape)
        precondition(elements.count == storage.count, "Tensor: \(elements.count) elements for shape \(shape)")
        _ = storage.buffer.update(fromContentsOf: elements)
    }

    /// An integer tensor from row-major elements.
    /// - Precondition: `integers.count` is the shape's element count.
    public init(shape: [Int], integers: [Int32]) {
        self.shape = shape
        elementType = .int32
        storage = AlignedStorage(count: Self.checkedCount(shape), zeroed: false)
        precondition(integers.count == storage.count, "Tensor: \(integers.count) integers for shape \(shape)")
        integers.withUnsafeBufferPointer { source in
            storage.buffer.withMemoryRebound(to: Int32.self) { _ = $0.update(fromContentsOf: source) }
        }
    }

    /// A float tensor whose every element `body` writes (before anything reads one; the memory is
    /// not zeroed first, which saves a pass over large activations).
    public init(shape: [Int], writingEveryElement body: (UnsafeMutableBufferPointer<Float>) throws -> Void) rethrows {
        self.shape = shape
        elementType = .float32
        storage = AlignedStorage(count: Self.checkedCount(shape), zeroed: false)
        try body(storage.buffer)
    }

    /// The rows × columns tensor of `matrix`, sharing its storage.
    public init(_ matrix: Matrix) {
        shape = [matrix.rows, matrix.columns]
        elementType = .float32
        storage = matrix.storage
    }

    private init(shape: [Int], elementType: ElementType, storage: AlignedStorage) {
        self.shape = shape
        self.elementType = elementType
        self.storage = storage
    }

    /// The number of elements.
    public var count: Int { storage.count }
    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The same elements in another shape of the same element count, sharing the storage.
    /// - Precondition: the element counts agree.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        precondition(Self.elementCount(of: newShape) == count, "Tensor.reshaped: \(shape) cannot become \(newShape)")
        return Tensor(shape: newShape, elementType: elementType, storage: storage)
    }

    /// The float elements as a matrix of `shape[0]` rows (each the rest of the dimensions), sharing the storage.
    /// - Precondition: a float tensor of rank 1 or more.
    public var matrix: Matrix {
        precondition(elementType == .float32 && rank >= 1, "Tensor.matrix: a float tensor of rank ≥ 1, not \(elementType) \(shape)")
        return Matrix(rows: shape[0], columns: shape[0] == 0 ? 0 : count / shape[0], sharing: storage)
    }

    /// Calls `body` with the float elements, row-major, read-only.
    /// - Precondition: a float tensor.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(elementType == .float32, "Tensor: the elements are \(elementType), not floats")
        return try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Calls `body` with the float elements, row-major, writable (copied first if shared).
    /// - Precondition: a float tensor.
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(elementType == .float32, "Tensor: the elements are \(elementType), not floats")
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(storage.buffer)
    }

    /// Calls `body` with the integer elements, row-major, read-only.
    /// - Precondition: an integer tensor.
    public func withUnsafeIntegers<R>(_ body: (UnsafeBufferPointer<Int32>) throws -> R) rethrows -> R {
        precondition(elementType == .int32, "Tensor: the elements are \(elementType), not integers")
        return try storage.buffer.withMemoryRebound(to: Int32.self) { try body(UnsafeBufferPointer($0)) }
    }

    /// A copy of the float elements.
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }
    /// A copy of the integer elements.
    public var integers: [Int32] { withUnsafeIntegers { Array($0) } }
}

extension Tensor: Equatable {
    /// Whether both tensors have the same shape, element type and elements (NaN never equals NaN).
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape, lhs.elementType == rhs.elementType else { return false }
        switch lhs.elementType {
        case .float32: return lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
        case .int32: return lhs.withUnsafeIntegers { a in rhs.withUnsafeIntegers { b in a.elementsEqual(b) } }
        }
    }
}

extension Tensor: CustomStringConvertible {
    /// The element type and shape, e.g. `float32[2×3×4]`.
    public var description: String { "\(elementType)[\(shape.map(String.init).joined(separator: "×"))]" }
}
