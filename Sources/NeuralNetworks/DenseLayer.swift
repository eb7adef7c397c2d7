import LinearAlgebra

/// A fully connected layer `y = x·Wᵀ + b`; also used to hold gradients of the same shape.
///
/// Its batch passes are matrix products; `forward(_:into:)` and the `Dense+Vector` extension
/// serve per-example training (one input vector at a time).
public struct DenseLayer: Sendable, Codable {
    /// outputs × inputs.
    public var weights: Matrix
    /// One per output.
    public var bias: [Float]

    /// A layer with these parameters.
    public init(weights: Matrix, bias: [Float]) {
        precondition(weights.rows == bias.count, "DenseLayer: \(weights.rows) outputs but \(bias.count) biases")
        self.weights = weights
        self.bias = bias
    }

    /// `input · Wᵀ + b` for a batch (rows are examples).
    /// - Complexity: O(rows × inputs × outputs).
    public func forward(_ input: Matrix) -> Matrix {
        var output = Matrix(rows: input.rows, columns: weights.rows)
        forward(input, into: &output)
        return output
    }

    /// Writes `input · Wᵀ + b` into `output` (rows × outputs).
    public func forward(_ input: Matrix, into output: inout Matrix) {
        output.multiplyAdd(input, weights, transposeB: .transposed)
        bias.withUnsafeBufferPointer { bias in
            output.withUnsafeMutableBufferPointer { values in
                for row in 0..<input.rows {
                    Kernels.add(bias, to: UnsafeMutableBufferPointer(rebasing: values[(row * bias.count)..<((row + 1) * bias.count)]))
                }
            }
        }
    }

    /// The sum of the squared weights (the L2 penalty without its factor).
    public var squaredWeightNorm: Double { weights.withUnsafeBufferPointer { $0.reduce(0) { $0 + Double($1 * $1) } } }

    /// Adds `strength · W(layer)` to these (gradient) weights.
    public mutating func addWeightDecay(_ layer: DenseLayer, strength: Float) {
        layer.weights.withUnsafeBufferPointer { source in
            weights.withUnsafeMutableBufferPointer { Kernels.axpy(strength, source, $0) }
        }
    }

    /// ReLU in place.
    public static func relu(_ matrix: inout Matrix) {
        matrix.withUnsafeMutableBufferPointer(Kernels.relu)
    }

    /// Zeroes a `rate` share of `matrix` and scales the rest by `1 / (1 - rate)` (inverted dropout);
    /// writes the factors (0 or the scale) into `mask` for the backward pass.
    public static func dropout<G: RandomNumberGenerator>(_ matrix: inout Matrix, rate: Float, mask: inout Matrix, using generator: inout G) {
        let keep = 1 / (1 - rate)
        mask.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = generator.nextUnitFloat() < rate ? 0 : keep }
        }
        mask.withUnsafeBufferPointer { factors in matrix.withUnsafeMutableBufferPointer { Kernels.multiplyElementwise(factors, into: $0) } }
    }

    /// Backpropagates through ReLU and dropout: zero where the activation was not positive,
    /// times the dropout mask's factor where there was dropout.
    public static func reluGradient(_ gradient: inout Matrix, activation: Matrix, mask: Matrix?) {
        activation.withUnsafeBufferPointer { active in
            gradient.withUnsafeMutableBufferPointer { Kernels.reluBackward(activation: active, gradient: $0) }
        }
        guard let mask else { return }
        mask.withUnsafeBufferPointer { factors in gradient.withUnsafeMutableBufferPointer { Kernels.multiplyElementwise(factors, into: $0) } }
    }
}

extension Matrix {
    /// Writes the sum of each column into `sums`.
    public func columnSums(into sums: inout [Float]) {
        precondition(sums.count == columns, "columnSums: \(sums.count) sums for \(columns) columns")
        for index in sums.indices { sums[index] = 0 }
        withUnsafeBufferPointer { values in
            sums.withUnsafeMutableBufferPointer { sums in
                for row in 0..<rows {
                    Kernels.add(UnsafeBufferPointer(rebasing: values[(row * columns)..<((row + 1) * columns)]), to: sums)
                }
            }
        }
    }
}

extension DenseLayer {
    /// A new layer of `outputs` × `inputs` weights drawn from `initializer` (He-normal, for a
    /// ReLU after it, by default) and zero biases.
    public init<G: RandomNumberGenerator>(inputs: Int, outputs: Int, initializer: Initializer = .heNormal, using generator: inout G) {
        self.init(weights: Matrix(rows: outputs, columns: inputs, initializer: initializer, using: &generator),
                  bias: [Float](repeating: 0, count: outputs))
    }
}
