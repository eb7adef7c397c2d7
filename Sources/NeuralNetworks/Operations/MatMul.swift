import LinearAlgebra

/// Matrix products of the last two dimensions, batched over the leading ones with broadcasting
/// (ONNX `MatMul`, NumPy's `matmul` for operands of rank 2 or more): A (… × n × k) · B (… × k × m).
/// A weight matrix B of rank 2 against data of any rank is one product over all leading rows.
public struct MatMul: Operation {
    /// `MatMul`.
    public static let typeName = "MatMul"

    /// The operation.
    public init() {}
    /// The operation (it has no attributes).
    public init(attributes: OperationAttributes) {}
    /// None.
    public var attributes: OperationAttributes { [:] }

    /// The broadcast leading dimensions, then n × m.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2, elementTypes.allSatisfy({ $0 == .float32 }) else { throw OperationError("MatMul takes two float inputs") }
        let (a, b) = (shapes[0], shapes[1])
        guard a.count >= 2, b.count >= 2 else { throw OperationError("MatMul operands need rank 2 or more, not \(a) and \(b)") }
        guard a[a.count - 1] == b[b.count - 2] else { throw OperationError("\(a) · \(b): inner sizes differ") }
        let leading = try Broadcast(Array(a.dropLast(2)), Array(b.dropLast(2))).outputShape
        return leading + [a[a.count - 2], b[b.count - 1]]
    }

    /// Both operands.
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// The products.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let plan = Plan(inputs[0].shape, inputs[1].shape), pairs = plan.pairs
        // Many small products (attention's per head and example) go to the threads whole; one
        // large product spreads itself.
        let perProduct: Parallelism = pairs.count >= 2 * context.parallelism.threadCount ? .serial : context.parallelism
        let across: Parallelism = perProduct.threadCount == 1 ? context.parallelism : .serial
        return Tensor(shape: plan.outputShape) { output in
            guard !output.isEmpty else { return }
            inputs[0].withUnsafeBufferPointer { a in
                inputs[1].withUnsafeBufferPointer { b in
                    let left = SharedReadOnlyPointer(base: UnsafeRawPointer(a.baseAddress!)), right = SharedReadOnlyPointer(base: UnsafeRawPointer(b.baseAddress!))
                    let target = SharedPointer(base: output.baseAddress!)
                    across.forEachChunk(of: pairs.count, minimumChunkSize: max(1, 65_536 / max(1, plan.n * plan.m * plan.k))) { chunk in
                        let x = left.base.assumingMemoryBound(to: Float.self), y = right.base.assumingMemoryBound(to: Float.self)
                        for batch in chunk {
                            let (i, j) = pairs[batch]
                            Kernels.multiply(x + i * plan.n * plan.k, .none, lda: plan.k, y + j * plan.k * plan.m, .none, ldb: plan.m,
                                             into: target.base + batch * plan.n * plan.m, ldc: plan.m, m: plan.n, n: plan.m, k: plan.k,
                                             parallelism: perProduct)
                        }
                    }
                }
            }
        }
    }

    /// dA = dY · Bᵀ and dB = Aᵀ · dY per product, summed over the dimensions each operand was
    /// broadcast along. Many small products that each write their own dA and dB (attention's per
    /// head and example) go to the threads whole, as in the forward pass.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let a = pass.input(0), b = pass.input(1), plan = Plan(a.shape, b.shape), pairs = plan.pairs
        var da: Tensor? = pass.needsGradient[0] ? Tensor(zeros: a.shape) : nil
        var db: Tensor? = pass.needsGradient[1] ? Tensor(zeros: b.shape) : nil
        let separate = pairs.count >= 2 * pass.parallelism.threadCount
            && Set(pairs.map(\.0)).count == pairs.count && Set(pairs.map(\.1)).count == pairs.count
        let perProduct: Parallelism = separate ? .serial : pass.parallelism, across: Parallelism = separate ? pass.parallelism : .serial
        outputGradient.withUnsafeBufferPointer { dy in
            a.withUnsafeBufferPointer { left in
                b.withUnsafeBufferPointer { right in
                    withOptionalMutablePointer(&da) { daBase in
                        withOptionalMutablePointer(&db) { dbBase in
                            let gradient = SharedReadOnlyPointer(base: UnsafeRawPointer(dy.baseAddress!))
                            let x = SharedReadOnlyPointer(base: UnsafeRawPointer(left.baseAddress!))
                            let y = SharedReadOnlyPointer(base: UnsafeRawPointer(right.baseAddress!))
                            let targetA = daBase.map { SharedPointer(base: $0) }, targetB = dbBase.map { SharedPointer(base: $0) }
                            across.forEachChunk(of: pairs.count, minimumChunkSize: max(1, 65_536 / max(1, plan.n * plan.m * plan.k))) { chunk in
                                let dy = gradient.base.assumingMemoryBound(to: Float.self)
                                let left = x.base.assumingMemoryBound(to: Float.self), right = y.base.assumingMemoryBound(to: Float.self)
                                for batch in chunk {
                                    let (i, j) = pairs[batch]
                                    let g = dy + batch * plan.n * plan.m
                                    if let targetA {
                                        Kernels.multiply(g, .none, lda: plan.m, right + j * plan.k * plan.m, .transposed, ldb: plan.m,
                                                         into: targetA.base + i * plan.n * plan.k, ldc: plan.k, m: plan.n, n: plan.k, k: plan.m,
                                                         beta: 1, parallelism: perProduct)
                                    }
                                    if let targetB {
                                        Kernels.multiply(left + i * plan.n * plan.k, .transposed, lda: plan.k, g, .none, ldb: plan.m,
                                                         into: targetB.base + j * plan.k * plan.m, ldc: plan.m, m: plan.k, n: plan.m, k: plan.n,
                                                         beta: 1, parallelism: perProduct)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return [da, db]
    }

    /// The products of one pass: the sizes, and for every output matrix the A and B matrices it multiplies.
    private struct Plan {
        var n: Int, k: Int, m: Int
        var outputShape: [Int]
        var pairs: [(Int, Int)] = []

        init(_ a: [Int], _ b: [Int]) {
            k = a[a.count - 1]
            m = b[b.count - 1]
            let leadingA = Array(a.dropLast(2)), leadingB = Array(b.dropLast(2))
            // B of rank 2 (a weight matrix): every leading row of A in one product.
            if leadingB.allSatisfy({ $0 == 1 }) && leadingB.count <= leadingA.count {
                n = a.dropLast().reduce(1, *)
                outputShape = Array(a.dropLast()) + [m]
                pairs = [(0, 0)]
                return
            }
            n = a[a.count - 2]
            guard let leading = try? Broadcast(leadingA, leadingB).outputShape else { preconditionFailure("MatMul: shapes were checked") }
            outputShape = leading + [n, m]
            let rank = leading.count
            let paddedA = [Int](repeating: 1, count: rank - leadingA.count) + leadingA
            let paddedB = [Int](repeating: 1, count: rank - leadingB.count) + leadingB
            for flat in 0..<leading.reduce(1, *) {
                var rest = flat, i = 0, j = 0, strideA = 1, strideB = 1
                for axis in (0..<rank).reversed() {
                    let position = rest % leading[axis]
                    rest /= leading[axis]
                    if paddedA[axis] != 1 { i += position * strideA }
                    if paddedB[axis] != 1 { j += position * strideB }
                    strideA *= paddedA[axis]
                    strideB *= paddedB[axis]
                }
                pairs.append((i, j))
            }
        }
    }
}
