/// An owned vector of `Float`, stored 64-byte aligned, with value semantics (copy-on-write).
public struct Vector: Sendable {
    private var storage: AlignedStorage

    /// A vector of `count` zeros.
    /// - Complexity: O(count).
    public init(count: Int) {
        storage = AlignedStorage(count: count)
    }

    /// A vector of `count` copies of `value`.
    /// - Complexity: O(count).
    public init(repeating value: Float, count: Int) {
        storage = AlignedStorage(count: count)
        storage.buffer.update(repeating: value)
    }

    /// A vector holding the elements of `elements`, in order.
    /// - Complexity: O(n).
    public init<S: Sequence>(_ elements: S) where S.Element == Float {
        let array = Array(elements)
        storage = AlignedStorage(count: array.count)
        _ = storage.buffer.update(fromContentsOf: array)
    }

    /// Calls `body` with the elements as a read-only buffer (64-byte aligned).
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(storage.buffer))
    }

    /// Calls `body` with the elements as a mutable buffer, copying them first if they are shared.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(storage.buffer)
    }

    /// The dot product with `other`.
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public func dot(_ other: Vector) -> Float {
        withUnsafeBufferPointer { a in other.withUnsafeBufferPointer { b in Kernels.dot(a, b) } }
    }

    /// The Euclidean (L2) norm.
    /// - Complexity: O(n).
    public var l2Norm: Float { withUnsafeBufferPointer(Kernels.l2Norm) }

    /// Scales to unit L2 norm in place; a zero vector stays zero.
    /// - Complexity: O(n).
    public mutating func normalize() {
        _ = withUnsafeMutableBufferPointer { Kernels.normalize($0) }
    }
}

extension Vector: RandomAccessCollection, MutableCollection {
    /// The position of the first element: 0.
    public var startIndex: Int { 0 }
    /// One past the last position: the element count.
    public var endIndex: Int { storage.count }

    /// The element at `index`.
    /// - Precondition: `0 <= index < count`.
    public subscript(index: Int) -> Float {
        get {
            precondition(indices.contains(index), "Vector index \(index) out of range 0..<\(count)")
            return storage.pointer[index]
        }
        set {
            precondition(indices.contains(index), "Vector index \(index) out of range 0..<\(count)")
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }
}

extension Vector: Equatable {
    /// Whether both vectors hold the same elements (NaN never equals NaN).
    public static func == (lhs: Vector, rhs: Vector) -> Bool { lhs.elementsEqual(rhs) }
}

extension Vector: CustomStringConvertible {
    /// The elements as an array literal.
    public var description: String { "Vector(\(Array(self)))" }
}
