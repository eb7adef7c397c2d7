import Foundation
import LinearAlgebra

/// Adam's first and second moments beside every trainable buffer of `BagTrainingParameters`, updated
/// lazily: only for the rows and dense-layer rows an example's gradient reaches.
///
/// `@unchecked Sendable` for the same reason as `BagTrainingParameters`: training threads update the
/// moments without locks.
final class LazyAdamMoments: @unchecked Sendable {
    static let beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8

    private let weights: [(first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>)]
    private let bias: [(first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>)]
    private let baseRows: (first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>)?
    private let addedRows: (first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>)
    private let baseCount: Int, dimensions: Int

    /// Zero moments for layers of `weightCounts`/`biasCounts` floats, `baseCount` base rows
    /// (with moments only when `baseTrains`) and `addedCount` added rows of `dimensions`.
    init(weightCounts: [Int], biasCounts: [Int], baseCount: Int, baseTrains: Bool, addedCount: Int, dimensions: Int) {
        func zeros(_ count: Int) -> (first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>) {
            let first = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            let second = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(1, count))
            first.initialize(repeating: 0)
            second.initialize(repeating: 0)
            return (UnsafeMutableBufferPointer(rebasing: first[0..<count]), UnsafeMutableBufferPointer(rebasing: second[0..<count]))
        }
        weights = weightCounts.map(zeros)
        bias = biasCounts.map(zeros)
        baseRows = baseTrains ? zeros(baseCount * dimensions) : nil
        addedRows = zeros(addedCount * dimensions)
        self.baseCount = baseCount
        self.dimensions = dimensions
    }

    deinit {
        for pair in weights + bias + [addedRows] + (baseRows.map { [$0] } ?? []) {
            pair.first.baseAddress?.deallocate()
            pair.second.baseAddress?.deallocate()
        }
    }

    /// The bias-corrected step size of update number `update` (from 1) at learning rate `rate`.
    static func stepSize(rate: Float, update: Int) -> Float {
        let t = Double(update)
        return rate * Float((1 - pow(Double(beta2), t)).squareRoot() / (1 - pow(Double(beta1), t)))
    }

    /// One Adam step on `weightRow` (row `row` of layer `layer`) against the gradient `gradient`.
    @inline(__always)
    func updateWeights(layer: Int, row: Int, gradient: UnsafeBufferPointer<Float>, weightRow: UnsafeMutableBufferPointer<Float>,
                       step: Float) {
        let range = (row * weightRow.count)..<((row + 1) * weightRow.count)
        Kernels.adamStep(gradient: gradient, first: UnsafeMutableBufferPointer(rebasing: weights[layer].first[range]),
                         second: UnsafeMutableBufferPointer(rebasing: weights[layer].second[range]), weights: weightRow,
                         beta1: Self.beta1, beta2: Self.beta2, step: step, epsilon: Self.epsilon)
    }

    /// One Adam step on bias `row` of layer `layer` against `gradient`.
    @inline(__always)
    func updateBias(layer: Int, row: Int, gradient: Float, bias value: inout Float, step: Float) {
        let moments = bias[layer]
        moments.first[row] = Self.beta1 * moments.first[row] + (1 - Self.beta1) * gradient
        moments.second[row] = Self.beta2 * moments.second[row] + (1 - Self.beta2) * gradient * gradient
        value -= step * moments.first[row] / (moments.second[row].squareRoot() + Self.epsilon)
    }

    /// One Adam step on the floats of row `id` (a trainable base row or an added row).
    @inline(__always)
    func updateRow(_ id: Int, gradient: UnsafeBufferPointer<Float>, row: UnsafeMutablePointer<Float>, step: Float) {
        let moments = id < baseCount ? baseRows! : addedRows
        let start = (id < baseCount ? id : id - baseCount) * dimensions
        Kernels.adamStep(gradient: gradient, first: UnsafeMutableBufferPointer(rebasing: moments.first[start..<(start + dimensions)]),
                         second: UnsafeMutableBufferPointer(rebasing: moments.second[start..<(start + dimensions)]),
                         weights: UnsafeMutableBufferPointer(start: row, count: dimensions),
                         beta1: Self.beta1, beta2: Self.beta2, step: step, epsilon: Self.epsilon)
    }
}
