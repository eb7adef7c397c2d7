import LinearAlgebra

/// A strided view of a tensor's elements: `shape` positions, position (i₀, i₁, …) at element
/// `base + Σ iₖ · strides[k]` of the source. `Transpose` (permuted strides) and `Slice` (a start
/// offset and stepped strides) are such views, copied out or added back (their backward passes).
struct StridedView {
    let shape: [Int]
    let base: Int
    let strides: [Int]

    /// The row-major strides of `shape`.
    static func contiguousStrides(of shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        return strides
    }

    /// Calls `body(source, target)` for every position: its source element offset and its
    /// row-major offset in the view, the innermost axis fastest.
    func forEachElement(_ body: (Int, Int) -> Void) {
        let count = shape.reduce(1, *)
        guard count > 0 else { return }
        guard let inner = shape.last, let innerStride = strides.last else { return body(base, 0) }
        var index = [Int](repeating: 0, count: shape.count - 1), offset = base, target = 0
        while target < count {
            for step in 0..<inner { body(offset + step * innerStride, target + step) }
            target += inner
            // Advance the odometer over the outer axes.
            var axis = shape.count - 2
            while axis >= 0 {
                index[axis] += 1
                offset += strides[axis]
                if index[axis] < shape[axis] { break }
                offset -= strides[axis] * shape[axis]
                index[axis] = 0
                axis -= 1
            }
        }
    }

    /// The view's elements of `source`, as a tensor of the view's shape.
    func copy(from source: Tensor) -> Tensor {
        Tensor(shape: shape) { output in
            source.withUnsafeBufferPointer { input in
                forEachElement { from, to in output[to] = input[from] }
            }
        }
    }

    /// A tensor of `sourceShape`, zero but for `values` (of the view's shape) added at the view's elements.
    func scatter(_ values: Tensor, into sourceShape: [Int]) -> Tensor {
        var result = Tensor(zeros: sourceShape)
        result.withUnsafeMutableBufferPointer { output in
            values.withUnsafeBufferPointer { input in
                forEachElement { to, from in output[to] += input[from] }
            }
        }
        return result
    }
}
