import Foundation
import LinearAlgebra

/// Adam (Kingma & Ba 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8, over dense layers.
public struct AdamOptimizer: Sendable {
    private let learningRate: Float
    private var firstMoments: [DenseLayer]
    private var secondMoments: [DenseLayer]
    /// The number of updates made so far (the bias correction depends on it).
    public private(set) var step = 0

    /// Zero moments for `layers`.
    public init(layers: [DenseLayer], learningRate: Float) {
        self.learningRate = learningRate
        let zeros = layers.map { DenseLayer(weights: Matrix(rows: $0.weights.rows, columns: $0.weights.columns),
                                            bias: [Float](repeating: 0, count: $0.bias.count)) }
        firstMoments = zeros
        secondMoments = zeros
    }

    /// One step against `gradients` (same shapes as `layers`).
    public mutating func update(_ layers: inout [DenseLayer], with gradients: [DenseLayer]) {
        step += 1
        let correction1 = 1 - Float(pow(0.9, Double(step))), correction2 = 1 - Float(pow(0.999, Double(step)))
        let stepSize = learningRate * correction2.squareRoot() / correction1
        for index in layers.indices {
            gradients[index].weights.withUnsafeBufferPointer { gradient in
                firstMoments[index].weights.withUnsafeMutableBufferPointer { m in
                    secondMoments[index].weights.withUnsafeMutableBufferPointer { v in
                        layers[index].weights.withUnsafeMutableBufferPointer { w in
                            Self.apply(gradient, m, v, w, stepSize: stepSize)
                        }
                    }
                }
            }
            gradients[index].bias.withUnsafeBufferPointer { gradient in
                firstMoments[index].bias.withUnsafeMutableBufferPointer { m in
                    secondMoments[index].bias.withUnsafeMutableBufferPointer { v in
                        layers[index].bias.withUnsafeMutableBufferPointer { w in
                            Self.apply(gradient, m, v, w, stepSize: stepSize)
                        }
                    }
                }
            }
        }
    }

    private static func apply(_ gradient: UnsafeBufferPointer<Float>, _ m: UnsafeMutableBufferPointer<Float>,
                              _ v: UnsafeMutableBufferPointer<Float>, _ w: UnsafeMutableBufferPointer<Float>, stepSize: Float) {
        Kernels.adamStep(gradient: gradient, first: m, second: v, weights: w, beta1: 0.9, beta2: 0.999, step: stepSize, epsilon: 1e-8)
    }
}
