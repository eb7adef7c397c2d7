/// A layer's trainable values as flat buffers (weights, then biases or shifts), in a fixed
/// order; a gradient or optimizer moment of the layer is a value of the same type and shape.
public protocol ParameterBuffers {
    /// Calls `body` with every trainable buffer, always in the same order.
    mutating func withParameterBuffers<R>(_ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R) rethrows -> R
}

extension DenseLayer: ParameterBuffers {
    /// The weights, then the bias.
    public mutating func withParameterBuffers<R>(_ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R) rethrows -> R {
        try weights.withUnsafeMutableBufferPointer { weights in try bias.withUnsafeMutableBufferPointer { try body([weights, $0]) } }
    }
}

extension Convolution2D: ParameterBuffers {
    /// The filters, then the bias.
    public mutating func withParameterBuffers<R>(_ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R) rethrows -> R {
        try weights.withUnsafeMutableBufferPointer { weights in try bias.withUnsafeMutableBufferPointer { try body([weights, $0]) } }
    }
}

extension BatchNormalization: ParameterBuffers {
    /// γ, then β (the running statistics are not trained).
    public mutating func withParameterBuffers<R>(_ body: ([UnsafeMutableBufferPointer<Float>]) throws -> R) rethrows -> R {
        try scale.withUnsafeMutableBufferPointer { scale in try shift.withUnsafeMutableBufferPointer { try body([scale, $0]) } }
    }
}
