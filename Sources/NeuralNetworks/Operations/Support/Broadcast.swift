import LinearAlgebra

/// How two tensors combine element-wise under NumPy broadcasting (ONNX's multidirectional
/// broadcasting): shapes aligned at the right, each dimension equal or 1 in one of them.
///
/// Dimensions of size 1 are dropped and neighbours that broadcast alike are merged, so a
/// per-channel `C × 1 × 1` operand against `N × C × H × W` runs as `N × C` runs of `H·W`
/// elements against one value each.
struct Broadcast {
    /// The output shape.
    let outputShape: [Int]
    /// The merged dimensions and each operand's element stride along them (0 where it broadcasts).
    private let dimensions: [Int], stridesA: [Int], stridesB: [Int]

    /// The broadcast of shapes `a` and `b`.
    /// - Throws: `OperationError` when a dimension differs and neither is 1.
    init(_ a: [Int], _ b: [Int]) throws {
        let rank = max(a.count, b.count)
        let paddedA = [Int](repeating: 1, count: rank - a.count) + a, paddedB = [Int](repeating: 1, count: rank - b.count) + b
        var output: [Int] = []
        for (x, y) in zip(paddedA, paddedB) {
            guard x == y || x == 1 || y == 1 else { throw OperationError("shapes \(a) and \(b) do not broadcast") }
            output.append(x == 1 ? y : x)
        }
        outputShape = output
        // Merged dimensions, from the outermost: (size, a broadcasts, b broadcasts).
        var merged: [(size: Int, aRepeats: Bool, bRepeats: Bool)] = []
        for index in 0..<rank where output[index] != 1 {
            let flags = (paddedA[index] == 1, paddedB[index] == 1)
            if let last = merged.last, last.aRepeats == flags.0, last.bRepeats == flags.1 {
                merged[merged.count - 1].size *= output[index]
            } else {
                merged.append((output[index], flags.0, flags.1))
            }
        }
        var strideA = 1, strideB = 1
        var dimensions = [Int](repeating: 0, count: merged.count), stridesA = dimensions, stridesB = dimensions
        for index in merged.indices.reversed() {
            dimensions[index] = merged[index].size
            stridesA[index] = merged[index].aRepeats ? 0 : strideA
            stridesB[index] = merged[index].bRepeats ? 0 : strideB
            if !merged[index].aRepeats { strideA *= merged[index].size }
            if !merged[index].bRepeats { strideB *= merged[index].size }
        }
        (self.dimensions, self.stridesA, self.stridesB) = (dimensions, stridesA, stridesB)
    }

    /// The broadcast of shapes already checked to broadcast (by an operation's `outputShape`).
    init(checked a: [Int], _ b: [Int]) {
        guard let layout = try? Broadcast(a, b) else { preconditionFailure("Broadcast: \(a) and \(b) were checked") }
        self = layout
    }

    /// The number of output elements.
    var count: Int { dimensions.reduce(1, *) }

    /// Calls `body(run, outputOffset, offsetA, offsetB)` for each run of the innermost merged
    /// dimension; within a run, output element `i` reads `a[offsetA + i·innerStrideA]` and `b[offsetB + i·innerStrideB]`.
    @inline(__always)
    private func forEachRun(in runs: Range<Int>, _ body: (Int, Int, Int) -> Void) {
        let inner = dimensions.last ?? 1, outer = dimensions.dropLast()
        for run in runs {
            var rest = run, offsetA = 0, offsetB = 0
            for index in outer.indices.reversed() {
                let position = rest % outer[index]
                rest /= outer[index]
                offsetA += position * stridesA[index]
                offsetB += position * stridesB[index]
            }
            body(run * inner, offsetA, offsetB)
        }
    }

    /// Each run's length and the operands' strides within it.
    private var inner: (count: Int, strideA: Int, strideB: Int) {
        (dimensions.last ?? 1, stridesA.last ?? 0, stridesB.last ?? 0)
    }

    /// `combine(a, b)` for every output element, runs spread over the threads.
    func apply(_ a: Tensor, _ b: Tensor, parallelism: Parallelism, _ combine: @escaping @Sendable (Float, Float) -> Float) -> Tensor {
        let (_, strideA, strideB) = inner
        return forEachRun(of: a, b, parallelism: parallelism) { out, p, q in
            if strideA == 1 && strideB == 1 {
                for index in out.indices { out[index] = combine(p[index], q[index]) }
            } else if strideB == 0 {
                let value = q[0]
                for index in out.indices { out[index] = combine(p[index * strideA], value) }
            } else {
                let value = p[0]
                for index in out.indices { out[index] = combine(value, q[index * strideB]) }
            }
        }
    }

    /// `a + b` for every output element through the vector kernels, run by run (a bias added to
    /// every row, a mask added to every head's scores), runs spread over the threads.
    func sum(_ a: Tensor, _ b: Tensor, parallelism: Parallelism) -> Tensor {
        let (_, strideA, strideB) = inner
        return forEachRun(of: a, b, parallelism: parallelism) { out, p, q in
            // One operand's run is copied, the other added: whole, or as the one value it repeats.
            let (copied, copiedStride, added, addedStride) = strideA == 1 ? (p, strideA, q, strideB) : (q, strideB, p, strideA)
            if copiedStride == 1 { _ = out.update(fromContentsOf: UnsafeBufferPointer(start: copied, count: out.count)) } else { out.update(repeating: copied[0]) }
            if addedStride == 1 {
                Kernels.add(UnsafeBufferPointer(start: added, count: out.count), to: out)
            } else {
                Kernels.add(added[0], clamping: out, to: -Float.infinity...Float.infinity)
            }
        }
    }

    /// `tensor` (floats) repeated along the dimensions this broadcast (of an output shape and
    /// `tensor`'s) gives it: what `Expand` and `Where` read.
    func expanded(_ tensor: Tensor) -> Tensor {
        if tensor.shape == outputShape { return tensor }
        let (_, _, strideB) = inner
        return forEachRun(of: Tensor(zeros: outputShape), tensor, parallelism: .serial) { out, _, q in
            if strideB == 1 { _ = out.update(fromContentsOf: UnsafeBufferPointer(start: q, count: out.count)) } else { out.update(repeating: q[0]) }
        }
    }

    /// A new output-shaped tensor, `body(out, a, b)` called for each run of it with where the run
    /// reads `a` and `b` (at their inner strides), runs spread over the threads.
    private func forEachRun(of a: Tensor, _ b: Tensor, parallelism: Parallelism,
                            _ body: @escaping @Sendable (UnsafeMutableBufferPointer<Float>, UnsafePointer<Float>, UnsafePointer<Float>) -> Void) -> Tensor {
        let length = inner.count, runs = count / max(1, length)
        return Tensor(shape: outputShape) { output in
            a.withUnsafeBufferPointer { first in
                b.withUnsafeBufferPointer { second in
                    let x = SharedReadOnlyPointer(base: UnsafeRawPointer(first.baseAddress!))
                    let z = SharedReadOnlyPointer(base: UnsafeRawPointer(second.baseAddress!)), y = SharedPointer(base: output.baseAddress!)
                    parallelism.forEachChunk(of: runs, minimumChunkSize: max(1, Elementwise.minimumChunk / max(1, length))) { chunk in
                        let left = x.base.assumingMemoryBound(to: Float.self), right = z.base.assumingMemoryBound(to: Float.self)
                        forEachRun(in: chunk) { start, offsetA, offsetB in
                            body(UnsafeMutableBufferPointer(start: y.base + start, count: length), left + offsetA, right + offsetB)
                        }
                    }
                }
            }
        }
    }

    /// `values` (output-shaped) summed down to operand `a`'s shape (`shapeA`), or to `b`'s with `toA` false.
    func reduce(_ values: Tensor, toA: Bool, shape: [Int]) -> Tensor {
        if values.shape == shape { return values }
        let (length, strideA, strideB) = inner
        let stride = toA ? strideA : strideB
        var result = Tensor(zeros: shape)
        result.withUnsafeMutableBufferPointer { target in
            values.withUnsafeBufferPointer { source in
                forEachRun(in: 0..<(count / max(1, length))) { start, offsetA, offsetB in
                    let out = target.baseAddress! + (toA ? offsetA : offsetB), run = source.baseAddress! + start
                    if stride == 0 {
                        var sum: Float = 0
                        for index in 0..<length { sum += run[index] }
                        out[0] += sum
                    } else {
                        for index in 0..<length { out[index] += run[index] }
                    }
                }
            }
        }
        return result
    }
}

/// The shared parts of the broadcasting binary operations `Add`, `Sub`, `Mul` and `Div`.
protocol BroadcastingBinary: AttributelessOperation {}

extension BroadcastingBinary {
    /// The broadcast of the two shapes.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2 else { throw OperationError("\(Self.typeName) takes two inputs, not \(shapes.count)") }
        guard elementTypes.allSatisfy({ $0 == .float32 }) else { throw OperationError("\(Self.typeName) takes floats") }
        return try Broadcast(shapes[0], shapes[1]).outputShape
    }

    /// The layout of a pass whose inputs had `shapes` (checked when the pass ran).
    func layout(_ shapes: [[Int]]) -> Broadcast { Broadcast(checked: shapes[0], shapes[1]) }
}
