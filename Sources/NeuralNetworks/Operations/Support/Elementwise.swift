import LinearAlgebra

/// The loops of element-wise operations: one pass over a tensor (or two of the same shape),
/// split over the threads for large tensors. The result does not depend on the thread count.
enum Elementwise {
    /// Below this many elements a pass runs on one thread.
    static let minimumChunk = 32_768

    /// `transform(x)` for every element of `input`.
    @inline(__always)
    static func map(_ input: Tensor, parallelism: Parallelism, _ transform: @escaping @Sendable (Float) -> Float) -> Tensor {
        apply(input, parallelism: parallelism) { source, target in
            for index in source.indices { target[index] = transform(source[index]) }
        }
    }

    /// A vector kernel from `input` into a new tensor of its shape, one chunk of elements per call.
    @inline(__always)
    static func apply(_ input: Tensor, parallelism: Parallelism,
                      _ kernel: @escaping @Sendable (UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        Tensor(shape: input.shape) { output in
            input.withUnsafeBufferPointer { source in
                let x = SharedReadOnlyPointer(base: UnsafeRawPointer(source.baseAddress!)), y = SharedPointer(base: output.baseAddress!)
                parallelism.forEachChunk(of: source.count, minimumChunkSize: minimumChunk) { range in
                    kernel(UnsafeBufferPointer(start: x.base.assumingMemoryBound(to: Float.self) + range.lowerBound, count: range.count),
                           UnsafeMutableBufferPointer(start: y.base + range.lowerBound, count: range.count))
                }
            }
        }
    }

    /// A vector `kernel(a, b, output)` over two tensors of the same shape, chunk by chunk on the threads.
    /// - Precondition: equal counts.
    static func apply(_ a: Tensor, _ b: Tensor, parallelism: Parallelism,
                      _ kernel: @escaping @Sendable (UnsafeBufferPointer<Float>, UnsafeBufferPointer<Float>, UnsafeMutableBufferPointer<Float>) -> Void) -> Tensor {
        precondition(a.count == b.count, "Elementwise.apply: \(a) and \(b)")
        return Tensor(shape: a.shape) { output in
            a.withUnsafeBufferPointer { first in
                b.withUnsafeBufferPointer { second in
                    let x = SharedReadOnlyPointer(base: UnsafeRawPointer(first.baseAddress!))
                    let z = SharedReadOnlyPointer(base: UnsafeRawPointer(second.baseAddress!)), y = SharedPointer(base: output.baseAddress!)
                    parallelism.forEachChunk(of: first.count, minimumChunkSize: minimumChunk) { range in
                        kernel(UnsafeBufferPointer(start: x.base.assumingMemoryBound(to: Float.self) + range.lowerBound, count: range.count),
                               UnsafeBufferPointer(start: z.base.assumingMemoryBound(to: Float.self) + range.lowerBound, count: range.count),
                               UnsafeMutableBufferPointer(start: y.base + range.lowerBound, count: range.count))
                    }
                }
            }
        }
    }

    /// `combine(a, b)` for every pair of elements of two tensors of the same shape.
    /// - Precondition: equal counts.
    @inline(__always)
    static func zip(_ a: Tensor, _ b: Tensor, parallelism: Parallelism, _ combine: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        apply(a, b, parallelism: parallelism) { left, right, output in
            for index in output.indices { output[index] = combine(left[index], right[index]) }
        }
    }

    /// `a + b` for two tensors of the same shape (the vector kernel, spread over the threads).
    static func sum(_ a: Tensor, _ b: Tensor, parallelism: Parallelism) -> Tensor {
        precondition(a.count == b.count, "Elementwise.sum: \(a) and \(b)")
        return Tensor(shape: a.shape) { output in
            a.withUnsafeBufferPointer { first in
                b.withUnsafeBufferPointer { second in
                    _ = output.update(fromContentsOf: first)
                    let x = SharedReadOnlyPointer(base: UnsafeRawPointer(second.baseAddress!)), y = SharedPointer(base: output.baseAddress!)
                    parallelism.forEachChunk(of: second.count, minimumChunkSize: minimumChunk) { range in
                        Kernels.add(UnsafeBufferPointer(start: x.base.assumingMemoryBound(to: Float.self) + range.lowerBound, count: range.count),
                                    to: UnsafeMutableBufferPointer(start: y.base + range.lowerBound, count: range.count))
                    }
                }
            }
        }
    }

    /// `a · b` for two tensors of the same shape (the vector kernel).
    static func product(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.count == b.count, "Elementwise.product: \(a) and \(b)")
        var output = a
        b.withUnsafeBufferPointer { factors in output.withUnsafeMutableBufferPointer { Kernels.multiplyElementwise(factors, into: $0) } }
        return output
    }

    /// The gradient where `value` lies strictly between `lower` and `upper`, else 0 (the
    /// backward pass of a clamp written in terms of its output), spread over the threads.
    static func gradientInside(_ gradient: Tensor, where value: Tensor, lower: Float, upper: Float, parallelism: Parallelism) -> Tensor {
        precondition(gradient.count == value.count, "Elementwise.gradientInside: \(gradient) and \(value)")
        var output = gradient
        value.withUnsafeBufferPointer { values in
            output.withUnsafeMutableBufferPointer { gradients in
                let source = SharedReadOnlyPointer(base: UnsafeRawPointer(values.baseAddress!)), target = SharedPointer(base: gradients.baseAddress!)
                parallelism.forEachChunk(of: gradients.count, minimumChunkSize: minimumChunk) { range in
                    Kernels.clampBackward(value: UnsafeBufferPointer(start: source.base.assumingMemoryBound(to: Float.self) + range.lowerBound, count: range.count),
                                          range: lower...upper, gradient: UnsafeMutableBufferPointer(start: target.base + range.lowerBound, count: range.count))
                }
            }
        }
        return output
    }

    /// The input gradient of a unary operation: `gradient × derivative(value)` element-wise, where
    /// `value` is the saved input or output the derivative is written in terms of.
    static func chain(_ gradient: Tensor, _ value: Tensor, parallelism: Parallelism,
                      _ derivative: @escaping @Sendable (Float) -> Float) -> Tensor {
        zip(gradient, value, parallelism: parallelism) { $0 * derivative($1) }
    }

    /// The output shape of a unary operation on a float tensor.
    static func unaryShape(_ shapes: [[Int]], _ types: [Tensor.ElementType], name: String) throws -> [Int] {
        guard shapes.count == 1 else { throw OperationError("\(name) takes one input, not \(shapes.count)") }
        guard types[0] == .float32 else { throw OperationError("\(name) takes floats, not \(types[0])") }
        return shapes[0]
    }
}

/// An element-wise operation of one float input without attributes: its output has the input's shape.
protocol ElementwiseUnary: AttributelessOperation {}

extension ElementwiseUnary {
    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }
}
