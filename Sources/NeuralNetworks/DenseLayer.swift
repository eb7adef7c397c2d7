import LinearAlgebra

/// The weights and bias of one fully connected layer `y = x·Wᵀ + b` (weights outputs × inputs,
/// as PyTorch's `Linear` stores them): how model files record a dense layer, and how a `Gemm`
/// node's parameters are handed around.
public struct DenseLayer: Sendable, Codable, Equatable {
    /// outputs × inputs.
    public var weights: Matrix
    /// One per output.
    public var bias: [Float]

    /// A layer with these parameters.
    /// - Precondition: one bias per output.
    public init(weights: Matrix, bias: [Float]) {
        precondition(weights.rows == bias.count, "DenseLayer: \(weights.rows) outputs but \(bias.count) biases")
        self.weights = weights
        self.bias = bias
    }
}
