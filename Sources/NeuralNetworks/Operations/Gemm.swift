import LinearAlgebra

/// A fully connected layer `Y = α · A · op(B) + β · C` (ONNX `Gemm` without `transA`): A is
/// N × K data, B the weights (K × M, or M × K with `transB`, as PyTorch's `Linear` stores them),
/// C an optional bias broadcast to N × M.
public struct Gemm: Operation {
    /// `Gemm`.
    public static let typeName = "Gemm"
    /// Whether B is stored M × K (outputs × inputs).
    public let transposesWeights: Bool
    /// The product's factor.
    public let alpha: Float
    /// The bias's factor.
    public let beta: Float

    /// A dense layer whose weights are outputs × inputs (PyTorch's layout) by default.
    public init(transposesWeights: Bool = true, alpha: Float = 1, beta: Float = 1) {
        self.transposesWeights = transposesWeights
        self.alpha = alpha
        self.beta = beta
    }

    /// From ONNX's attributes (`transA` must be 0, `transB`, `alpha`, `beta`).
    /// - Throws: `OperationError` for `transA` 1 or a factor that is not finite.
    public init(attributes: OperationAttributes) throws {
        guard try attributes.integer("transA", default: 0, in: 0...1) == 0 else { throw OperationError("transA 1 is not supported") }
        self.init(transposesWeights: try attributes.integer("transB", default: 0, in: 0...1) == 1,
                  alpha: try attributes.float("alpha", default: 1), beta: try attributes.float("beta", default: 1))
    }

    /// `transB`, `alpha` and `beta`.
    public var attributes: OperationAttributes {
        ["transB": .integer(transposesWeights ? 1 : 0), "alpha": .float(alpha), "beta": .float(beta)]
    }

    /// The weights and the bias are weights.
    public func role(ofInput position: Int) -> InputRole { position == 0 ? .data : .weight }

    private func sizes(_ weights: [Int]) -> (inputs: Int, outputs: Int) {
        transposesWeights ? (weights[1], weights[0]) : (weights[0], weights[1])
    }

    /// N × M.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard (2...3).contains(shapes.count), elementTypes.allSatisfy({ $0 == .float32 }) else {
            throw OperationError("Gemm takes float data, weights and an optional bias")
        }
        guard shapes[0].count == 2, shapes[1].count == 2 else { throw OperationError("Gemm multiplies N × K data by a K × M matrix") }
        let (inputs, outputs) = sizes(shapes[1])
        guard shapes[0][1] == inputs else { throw OperationError("weights \(shapes[1]) cannot take \(shapes[0][1]) features") }
        let output = [shapes[0][0], outputs]
        if shapes.count == 3, (try? Broadcast(output, shapes[2]).outputShape) != output {
            throw OperationError("a bias of \(shapes[2]) does not broadcast to \(output)")
        }
        return output
    }

    /// The data (for the weight gradient) and the weights (for the data gradient).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// α · A · op(B) + β · C.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let (rows, inner) = (inputs[0].shape[0], inputs[0].shape[1]), outputs = sizes(inputs[1].shape).outputs
        var output = Tensor(zeros: [rows, outputs])
        if inputs.count == 3 && beta != 0 {
            output = Broadcast(checked: [rows, outputs], inputs[2].shape).apply(output, inputs[2], parallelism: .serial) { [beta] in $0 + beta * $1 }
        }
        guard rows > 0, outputs > 0, inner > 0 else { return output }
        inputs[0].withUnsafeBufferPointer { a in
            inputs[1].withUnsafeBufferPointer { b in
                output.withUnsafeMutableBufferPointer { y in
                    Kernels.multiply(a.baseAddress!, .none, lda: inner, b.baseAddress!, transposesWeights ? .transposed : .none,
                                     ldb: transposesWeights ? inner : outputs, into: y.baseAddress!, ldc: outputs,
                                     m: rows, n: outputs, k: inner, alpha: alpha, beta: inputs.count == 3 ? 1 : 0,
                                     parallelism: context.parallelism)
                }
            }
        }
        return output
    }

    /// dA = α · dY · op(B)ᵀ, dB = α · (Aᵀ · dY or dYᵀ · A), dC = β · dY summed to C's shape.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let a = pass.input(0), b = pass.input(1)
        let (rows, inner) = (a.shape[0], a.shape[1]), outputs = outputGradient.shape[1]
        var result: [Tensor?] = [nil, nil] + (pass.inputShapes.count == 3 ? [nil] : [])
        outputGradient.withUnsafeBufferPointer { dy in
            guard let dyBase = dy.baseAddress else { return }
            if pass.needsGradient[0] {
                result[0] = Tensor(shape: a.shape) { da in
                    guard let daBase = da.baseAddress else { return }
                    b.withUnsafeBufferPointer { weights in
                        Kernels.multiply(dyBase, .none, lda: outputs, weights.baseAddress!, transposesWeights ? .none : .transposed,
                                         ldb: transposesWeights ? inner : outputs, into: daBase, ldc: inner,
                                         m: rows, n: inner, k: outputs, alpha: alpha, parallelism: pass.parallelism)
                    }
                }
            }
            if pass.needsGradient[1] {
                result[1] = Tensor(shape: b.shape) { db in
                    guard let dbBase = db.baseAddress else { return }
                    a.withUnsafeBufferPointer { data in
                        if transposesWeights {
                            Kernels.multiply(dyBase, .transposed, lda: outputs, data.baseAddress!, .none, ldb: inner, into: dbBase, ldc: inner,
                                             m: outputs, n: inner, k: rows, alpha: alpha, parallelism: pass.parallelism)
                        } else {
                            Kernels.multiply(data.baseAddress!, .transposed, lda: inner, dyBase, .none, ldb: outputs, into: dbBase, ldc: outputs,
                                             m: inner, n: outputs, k: rows, alpha: alpha, parallelism: pass.parallelism)
                        }
                    }
                }
            }
        }
        if pass.inputShapes.count == 3 && pass.needsGradient[2] {
            let scaled = beta == 1 ? outputGradient : Elementwise.map(outputGradient, parallelism: pass.parallelism) { [beta] in beta * $0 }
            result[2] = Broadcast(checked: [rows, outputs], pass.inputShapes[2]).reduce(scaled, toA: false, shape: pass.inputShapes[2])
        }
        return result
    }
}
