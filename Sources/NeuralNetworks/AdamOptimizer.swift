import Foundation
import LinearAlgebra

/// Adam (Kingma & Ba 2015) with β₁ = 0.9, β₂ = 0.999, ε = 1e-8, over the parameter buffers of
/// a list of layers, each with its own learning-rate multiplier.
public struct AdamOptimizer: Sendable {
    /// The base learning rate.
    public let learningRate: Float
    /// Moments per layer, per buffer.
    private var firstMoments: [[[Float]]]
    private var secondMoments: [[[Float]]]
    /// The number of updates made so far (the bias correction depends on it).
    public private(set) var step = 0

    /// Zero moments for `layers`.
    public init<Layer: ParameterBuffers>(layers: [Layer], learningRate: Float) {
        self.learningRate = learningRate
        var layers = layers
        let zeros = layers.indices.map { index in
            layers[index].withParameterBuffers { buffers in buffers.map { [Float](repeating: 0, count: $0.count) } }
        }
        firstMoments = zeros
        secondMoments = zeros
    }

    /// One step against `gradients` (same shapes as `layers`), layer `i` at `learningRate ·
    /// rateMultipliers[i]` (1 for all without multipliers).
    /// - Precondition: the layers have the shapes the optimizer was made for.
    public mutating func update<Layer: ParameterBuffers>(_ layers: inout [Layer], with gradients: [Layer],
                                                         rateMultipliers: [Float]? = nil) {
        precondition(layers.count == firstMoments.count && gradients.count == layers.count, "AdamOptimizer: layer count changed")
        step += 1
        let correction1 = 1 - Float(pow(0.9, Double(step))), correction2 = 1 - Float(pow(0.999, Double(step)))
        let stepSize = learningRate * correction2.squareRoot() / correction1
        var gradients = gradients
        for index in layers.indices {
            let rate = stepSize * (rateMultipliers?[index] ?? 1)
            layers[index].withParameterBuffers { weights in
                gradients[index].withParameterBuffers { gradient in
                    precondition(weights.count == firstMoments[index].count, "AdamOptimizer: buffers of layer \(index) changed")
                    for buffer in weights.indices {
                        firstMoments[index][buffer].withUnsafeMutableBufferPointer { m in
                            secondMoments[index][buffer].withUnsafeMutableBufferPointer { v in
                                precondition(m.count == weights[buffer].count && gradient[buffer].count == m.count,
                                             "AdamOptimizer: buffer \(buffer) of layer \(index) changed size")
                                Kernels.adamStep(gradient: UnsafeBufferPointer(gradient[buffer]), first: m, second: v,
                                                 weights: weights[buffer], beta1: 0.9, beta2: 0.999, step: rate, epsilon: 1e-8)
                            }
                        }
                    }
                }
            }
        }
    }
}
