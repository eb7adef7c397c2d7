import LinearAlgebra

/// Normalisation over the last dimensions from `axis` on, per example and position (ONNX
/// `LayerNormalization`, PyTorch's `LayerNorm`): inputs X, the scale γ and the bias β, both of
/// the normalised dimensions' shape. The biased variance, as both define it.
public struct LayerNormalization: Operation {
    /// `LayerNormalization`.
    public static let typeName = "LayerNormalization"
    /// The first normalised dimension (negative counts from the end).
    public let axis: Int
    /// Added to the variance before the square root.
    public let epsilon: Float

    /// A layer normalisation.
    /// - Precondition: `epsilon > 0`.
    public init(axis: Int = -1, epsilon: Float = 1e-5) {
        precondition(epsilon > 0, "LayerNormalization: epsilon \(epsilon)")
        self.axis = axis
        self.epsilon = epsilon
    }

    /// From the attributes `axis` (default −1) and `epsilon` (default 1e-5).
    /// - Throws: `OperationError` for an absurd axis or an epsilon that is not positive.
    public init(attributes: OperationAttributes) throws {
        let epsilon = try attributes.float("epsilon", default: 1e-5)
        guard epsilon > 0 else { throw OperationError("epsilon \(epsilon) is not positive") }
        self.init(axis: try attributes.integer("axis", default: -1, in: -64...64), epsilon: epsilon)
    }

    /// `axis` and `epsilon`.
    public var attributes: OperationAttributes { ["axis": .integer(axis), "epsilon": .float(epsilon)] }

    /// The scale and the bias are weights.
    public func role(ofInput position: Int) -> InputRole { position == 0 ? .data : .weight }

    private func split(_ shape: [Int]) throws -> (rows: Int, width: Int) {
        let resolved = axis < 0 ? axis + shape.count : axis
        guard (0..<shape.count).contains(resolved) else { throw OperationError("axis \(axis) is outside rank \(shape.count)") }
        return (shape[..<resolved].reduce(1, *), shape[resolved...].reduce(1, *))
    }

    /// The data's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard (2...3).contains(shapes.count), elementTypes.allSatisfy({ $0 == .float32 }) else {
            throw OperationError("LayerNormalization takes float data, a scale and an optional bias")
        }
        let width = try split(shapes[0]).width
        guard shapes.dropFirst().allSatisfy({ $0.reduce(1, *) == width && Array(shapes[0].suffix($0.count)) == $0 }) else {
            throw OperationError("scale and bias must have the normalised dimensions' shape")
        }
        return shapes[0]
    }

    /// The data and γ (the row statistics are saved).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// (x − mean) / √(var + ε) · γ + β per row.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let (rows, width) = try split(inputs[0].shape)
        var means = [Float](repeating: 0, count: rows), inverses = means
        let scale = inputs[1].scalars, bias = inputs.count == 3 ? inputs[2].scalars : [Float](repeating: 0, count: width)
        let output = Tensor(shape: inputs[0].shape) { y in
            inputs[0].withUnsafeBufferPointer { x in
                for row in 0..<rows {
                    let line = UnsafeBufferPointer(rebasing: x[(row * width)..<((row + 1) * width)])
                    let mean = line.reduce(0.0) { $0 + Double($1) } / Double(max(1, width))
                    let variance = line.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(max(1, width))
                    let inverse = Float(1 / (variance + Double(epsilon)).squareRoot())
                    means[row] = Float(mean)
                    inverses[row] = inverse
                    for column in 0..<width {
                        y[row * width + column] = (line[column] - Float(mean)) * inverse * scale[column] + bias[column]
                    }
                }
            }
        }
        context.save(Tensor(shape: [rows], elements: means))
        context.save(Tensor(shape: [rows], elements: inverses))
        return output
    }

    /// The gradients of the data, γ and β.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let (rows, width) = try? split(pass.inputShapes[0]) else { preconditionFailure("LayerNormalization: axis checked") }
        let x = pass.input(0), scale = pass.input(1).scalars, means = pass.saved[0].scalars, inverses = pass.saved[1].scalars
        var dx = pass.needsGradient[0] ? [Float](repeating: 0, count: x.count) : []
        var dScale = [Float](repeating: 0, count: width), dBias = dScale
        x.withUnsafeBufferPointer { values in
            outputGradient.withUnsafeBufferPointer { g in
                for row in 0..<rows {
                    var sum: Float = 0, weighted: Float = 0
                    for column in 0..<width {
                        let index = row * width + column, normalized = (values[index] - means[row]) * inverses[row]
                        dScale[column] += g[index] * normalized
                        dBias[column] += g[index]
                        sum += g[index] * scale[column]
                        weighted += g[index] * scale[column] * normalized
                    }
                    guard !dx.isEmpty else { continue }
                    let n = Float(width)
                    for column in 0..<width {
                        let index = row * width + column, normalized = (values[index] - means[row]) * inverses[row]
                        dx[index] = inverses[row] / n * (n * g[index] * scale[column] - sum - normalized * weighted)
                    }
                }
            }
        }
        var result: [Tensor?] = [pass.needsGradient[0] ? Tensor(shape: x.shape, elements: dx) : nil,
                                 pass.needsGradient[1] ? Tensor(shape: pass.inputShapes[1], elements: dScale) : nil]
        if pass.inputShapes.count == 3 { result.append(pass.needsGradient[2] ? Tensor(shape: pass.inputShapes[2], elements: dBias) : nil) }
        return result
    }
}
