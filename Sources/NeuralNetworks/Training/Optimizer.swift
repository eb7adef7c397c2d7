import Foundation
import LinearAlgebra

/// The optimizer state of one training run: the moments of every trained parameter and the
/// number of steps taken, updating a graph's parameters from their gradients.
public struct Optimizer: Sendable {
    /// What it does.
    public let settings: OptimizerSettings
    /// Per parameter index: SGD's momentum buffer or Adam's first moment.
    private var first: [Int: [Float]] = [:]
    /// Per parameter index: Adam's second moment.
    private var second: [Int: [Float]] = [:]
    /// The number of updates made (Adam's bias correction depends on it).
    public private(set) var step = 0

    /// A fresh optimizer.
    public init(_ settings: OptimizerSettings) { self.settings = settings }

    /// One update of every parameter in `gradients` at `rate` times its multiplier (1 when absent).
    /// - Precondition: each gradient has its parameter's shape.
    public mutating func update(_ graph: inout Graph, gradients: [Int: Tensor], rate: Float, multipliers: [Int: Float] = [:]) {
        step += 1
        let (beta1, beta2) = (settings.beta1, settings.beta2)
        let correction1 = 1 - Float(pow(Double(beta1), Double(step))), correction2 = 1 - Float(pow(Double(beta2), Double(step)))
        for (index, gradient) in gradients.sorted(by: { $0.key < $1.key }) {
            let parameterRate = rate * (multipliers[index] ?? 1)
            var value = graph.parameters[index].value
            precondition(gradient.shape == value.shape, "Optimizer: gradient \(gradient.shape) for parameter \(value.shape)")
            let decays = settings.weightDecay > 0 && value.rank >= 2
            var moment = first[index] ?? [Float](repeating: 0, count: value.count)
            var squares = settings.method == .sgd ? [] : (second[index] ?? [Float](repeating: 0, count: value.count))
            let isFirstStep = first[index] == nil
            value.withUnsafeMutableBufferPointer { weights in
                gradient.withUnsafeBufferPointer { g in
                    moment.withUnsafeMutableBufferPointer { m in
                        switch settings.method {
                        case .sgd:
                            sgdStep(weights, g, m, rate: parameterRate, decays: decays, isFirstStep: isFirstStep)
                        case .adam, .adamW:
                            squares.withUnsafeMutableBufferPointer { v in
                                adamStep(weights, g, m, v, rate: parameterRate, decays: decays, correction1: correction1, correction2: correction2)
                            }
                        }
                    }
                }
            }
            first[index] = moment
            if settings.method != .sgd { second[index] = squares }
            graph.setValue(value, ofParameter: index)
        }
    }

    /// PyTorch's SGD: `b = μb + g` (b = g at the first step), `w −= rate · (g + μb if Nesterov, else b)`.
    private func sgdStep(_ weights: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>,
                         _ buffer: UnsafeMutableBufferPointer<Float>, rate: Float, decays: Bool, isFirstStep: Bool) {
        let (momentum, decay, nesterov) = (settings.momentum, decays ? settings.weightDecay : 0, settings.nesterov)
        for index in weights.indices {
            let g = gradient[index] + decay * weights[index]
            guard momentum > 0 else {
                weights[index] -= rate * g
                continue
            }
            buffer[index] = isFirstStep ? g : momentum * buffer[index] + g
            weights[index] -= rate * (nesterov ? g + momentum * buffer[index] : buffer[index])
        }
    }

    /// PyTorch's Adam and AdamW: `w −= rate / c₁ · m / (√v / √c₂ + ε)`, with the decay added to
    /// the gradient (Adam) or taken from the weights first (AdamW).
    private func adamStep(_ weights: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>,
                          _ m: UnsafeMutableBufferPointer<Float>, _ v: UnsafeMutableBufferPointer<Float>, rate: Float, decays: Bool,
                          correction1: Float, correction2: Float) {
        if decays && settings.method == .adamW { Kernels.scale(weights, by: 1 - rate * settings.weightDecay) }
        // The kernel computes w −= step · m / (√v + ε′); these step and ε′ make it PyTorch's update.
        let step = rate * correction2.squareRoot() / correction1, epsilon = settings.epsilon * correction2.squareRoot()
        let kernel = { (g: UnsafeBufferPointer<Float>) in
            Kernels.adamStep(gradient: g, first: m, second: v, weights: weights, beta1: self.settings.beta1, beta2: self.settings.beta2,
                             step: step, epsilon: epsilon)
        }
        guard decays && settings.method == .adam else { return kernel(gradient) }
        let decayed = (0..<weights.count).map { gradient[$0] + settings.weightDecay * weights[$0] }
        decayed.withUnsafeBufferPointer(kernel)
    }
}
