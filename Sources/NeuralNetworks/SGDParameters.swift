import Foundation
import LinearAlgebra

/// The parameters of an `EmbeddingBagClassifier` while SGD trains it: flat buffers that several
/// threads update without locks, as fastText's Hogwild training does.
///
/// `@unchecked Sendable` because the training threads share these buffers on purpose: a race on
/// one float loses part of one update, which lock-free SGD tolerates (Recht et al., 2011). With
/// one thread there is no sharing and training is reproducible to the bit.
final class SGDParameters: @unchecked Sendable {
    private let layerShapes: [(rows: Int, columns: Int)]
    private let pooling: EmbeddingBag.Pooling
    private let outputLoss: OutputLoss
    private let weights: [UnsafeMutableBufferPointer<Float>]
    private let bias: [UnsafeMutableBufferPointer<Float>]
    /// The trainable base rows (nil when the base is frozen) and the added rows.
    private let baseRows: UnsafeMutableBufferPointer<Float>?
    private let addedRows: UnsafeMutableBufferPointer<Float>
    /// 1 for each row id an update wrote.
    private let touched: UnsafeMutableBufferPointer<UInt8>
    private let baseCount: Int, dimensions: Int
    /// The frozen base rows (nil when the base trains).
    private let frozenBase: FrozenRows?
    /// Adam's moments (nil under SGD).
    private let adam: LazyAdamMoments?

    init(_ network: EmbeddingBagClassifier, optimizer: BagOptimizer) {
        layerShapes = network.layers.map { ($0.weights.rows, $0.weights.columns) }
        pooling = network.bag.pooling
        outputLoss = network.loss
        weights = network.layers.map { .copying($0.weights) }
        bias = network.layers.map { .copying($0.bias) }
        let bag = network.bag
        baseCount = bag.base.count
        dimensions = bag.dimensions
        switch bag.base {
        case .trainable(let rows):
            baseRows = .copying(rows.values)
            frozenBase = nil
        case .frozen(let rows):
            baseRows = nil
            frozenBase = rows
        }
        addedRows = .copying(bag.added.values)
        var flags = [UInt8](repeating: 0, count: bag.rowCount)
        if case .trainable(let rows) = bag.base { for (index, flag) in rows.touched.enumerated() where flag { flags[index] = 1 } }
        for (index, flag) in bag.added.touched.enumerated() where flag { flags[baseCount + index] = 1 }
        touched = .copying(flags)
        adam = optimizer == .sgd ? nil : LazyAdamMoments(
            weightCounts: weights.map(\.count), biasCounts: bias.map(\.count), baseCount: baseCount, baseTrains: baseRows != nil,
            addedCount: bag.added.values.rows, dimensions: dimensions)
    }

    deinit {
        (weights + bias + [addedRows]).forEach { $0.deallocate() }
        baseRows?.deallocate()
        touched.deallocate()
    }

    /// The network as the buffers hold it now (a copy).
    func currentNetwork() -> EmbeddingBagClassifier {
        let layers = layerShapes.indices.map { index in
            DenseLayer(weights: Self.matrix(layerShapes[index].rows, layerShapes[index].columns, weights[index]), bias: Array(bias[index]))
        }
        let flags = touched.map { $0 != 0 }
        let added = TrainableRows(values: Self.matrix(addedRows.count / max(1, dimensions), dimensions, addedRows),
                                  touched: Array(flags[baseCount...]))
        let base: EmbeddingBag.BaseRows = frozenBase.map { .frozen($0) }
            ?? .trainable(TrainableRows(values: Self.matrix(baseCount, dimensions, baseRows!), touched: Array(flags[..<baseCount])))
        return EmbeddingBagClassifier(bag: EmbeddingBag(base: base, added: added, dimensions: dimensions, pooling: pooling), layers: layers,
                                      loss: outputLoss)
    }

    /// A `rows` × `columns` matrix holding a copy of `values`.
    private static func matrix(_ rows: Int, _ columns: Int, _ values: UnsafeMutableBufferPointer<Float>) -> Matrix {
        var matrix = Matrix(rows: rows, columns: columns)
        matrix.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: UnsafeBufferPointer(values)) }
        return matrix
    }

    /// The writable floats of row `id`, or nil when it is frozen.
    @inline(__always)
    private func writableRow(_ id: Int32) -> UnsafeMutablePointer<Float>? {
        let index = Int(id)
        if index >= baseCount { return addedRows.baseAddress! + (index - baseCount) * dimensions }
        return baseRows.map { $0.baseAddress! + index * dimensions }
    }

    /// Calls `body` with the current floats of row `id`.
    @inline(__always)
    private func withRow<R>(_ id: Int32, _ body: (UnsafeRawPointer) -> R) -> R {
        if let row = writableRow(id) { return body(UnsafeRawPointer(row)) }
        return frozenBase!.withRow(at: Int(id), body)
    }

    /// One step on one example of class `label` (and `others`, for one-vs-all), update number
    /// `update` (from 1; Adam's bias correction); returns its loss.
    /// The rows step at `rate × embeddingMultiplier`.
    func step(_ allIDs: UnsafeBufferPointer<Int32>, label: Int, others: UnsafeBufferPointer<Int32>, update: Int, rate: Float,
              embeddingMultiplier: Float, dropout: Float, workspace: SGDWorkspace, using generator: inout SplitMix64) -> Double {
        let ids = workspace.keep(allIDs, dropout: dropout, using: &generator)
        guard !ids.isEmpty else { return 0 }
        let meanAndMax = pooling == .meanAndMax
        // Forward: pool the bag.
        let input = workspace.activations[0]
        input.update(repeating: 0)
        let mean = UnsafeMutableBufferPointer(rebasing: input[0..<dimensions])
        for (position, id) in ids.enumerated() {
            withRow(id) { row in
                Kernels.axpy(1, row, mean)
                guard meanAndMax else { return }
                for index in 0..<dimensions {
                    let value = row.loadUnaligned(fromByteOffset: 4 * index, as: Float.self)
                    if position == 0 || value > input[dimensions + index] {
                        input[dimensions + index] = value
                        workspace.argmax[index] = id
                    }
                }
            }
        }
        Kernels.scale(mean, by: 1 / Float(ids.count))
        // Forward: the dense layers.
        let last = weights.count - 1
        for layer in 0...last {
            let (rows, columns) = (bias[layer].count, weights[layer].count / max(1, bias[layer].count))
            let source = workspace.activations[layer], target = workspace.activations[layer + 1]
            for row in 0..<rows {
                let value = Kernels.dot(UnsafeRawPointer(weights[layer].baseAddress! + row * columns),
                                        UnsafeRawPointer(source.baseAddress!), count: columns) + bias[layer][row]
                target[row] = layer < last ? max(0, value) : value
            }
        }
        let output = workspace.activations[last + 1]
        outputLoss.probabilities(output)
        // Backward: the output delta is p − y; each layer passes Wᵀδ down before it is updated.
        let loss = outputLoss.lossAndGradient(output, label: label, others: others, gradient: workspace.deltas[last + 1])
        let adamStep = adam.map { _ in LazyAdamMoments.stepSize(rate: rate, update: update) }
        for layer in stride(from: last, through: 0, by: -1) {
            let (rows, columns) = (bias[layer].count, weights[layer].count / max(1, bias[layer].count))
            let below = workspace.deltas[layer], input = workspace.activations[layer], above = workspace.deltas[layer + 1]
            below.update(repeating: 0)
            for row in 0..<rows where above[row] != 0 {
                let weightRow = UnsafeMutableBufferPointer(start: weights[layer].baseAddress! + row * columns, count: columns)
                Kernels.axpy(above[row], UnsafeRawPointer(weightRow.baseAddress!), below)
                if let adam, let adamStep {
                    let gradient = UnsafeMutableBufferPointer(rebasing: workspace.gradient[0..<columns])
                    _ = gradient.update(fromContentsOf: input)
                    Kernels.scale(gradient, by: above[row])
                    adam.updateWeights(layer: layer, row: row, gradient: UnsafeBufferPointer(gradient), weightRow: weightRow, step: adamStep)
                    adam.updateBias(layer: layer, row: row, gradient: above[row], bias: &bias[layer][row], step: adamStep)
                } else {
                    Kernels.axpy(-rate * above[row], UnsafeRawPointer(input.baseAddress!), weightRow)
                    bias[layer][row] -= rate * above[row]
                }
            }
            if layer > 0 { Kernels.reluBackward(activation: UnsafeBufferPointer(input), gradient: below) }
        }
        // Backward: the bag's rows (the mean's share to every row, the max's to the row that won).
        let gradient = workspace.deltas[0]
        if let adam, let adamStep {
            updateRowsByAdam(ids, gradient: UnsafeBufferPointer(gradient), adam: adam, step: adamStep * embeddingMultiplier,
                             workspace: workspace)
            return loss
        }
        let embeddingRate = rate * embeddingMultiplier
        let meanStep = -embeddingRate / Float(ids.count)
        for id in ids {
            guard let row = writableRow(id) else { continue }
            Kernels.axpy(meanStep, UnsafeRawPointer(gradient.baseAddress!), UnsafeMutableBufferPointer(start: row, count: dimensions))
            touched[Int(id)] = 1
        }
        if meanAndMax {
            for index in 0..<dimensions {
                guard let row = writableRow(workspace.argmax[index]) else { continue }
                row[index] -= embeddingRate * gradient[dimensions + index]
            }
        }
        return loss
    }

    /// Adam on the bag's rows: each distinct row once, with the gradient of all its occurrences
    /// (its share of the mean, plus the max's elements it won).
    private func updateRowsByAdam(_ ids: UnsafeBufferPointer<Int32>, gradient: UnsafeBufferPointer<Float>, adam: LazyAdamMoments,
                                  step: Float, workspace: SGDWorkspace) {
        let sorted = workspace.sortedCopy(of: ids)
        let rowGradient = UnsafeMutableBufferPointer(rebasing: workspace.gradient[0..<dimensions])
        var start = 0
        while start < sorted.count {
            let id = sorted[start]
            var end = start + 1
            while end < sorted.count && sorted[end] == id { end += 1 }
            if let row = writableRow(id) {
                _ = rowGradient.update(fromContentsOf: UnsafeBufferPointer(rebasing: gradient[0..<dimensions]))
                Kernels.scale(rowGradient, by: Float(end - start) / Float(ids.count))
                if pooling == .meanAndMax {
                    for index in 0..<dimensions where workspace.argmax[index] == id { rowGradient[index] += gradient[dimensions + index] }
                }
                adam.updateRow(Int(id), gradient: UnsafeBufferPointer(rowGradient), row: row, step: step)
                touched[Int(id)] = 1
            }
            start = end
        }
    }
}

/// One training thread's scratch buffers: activations and deltas per layer, the max-pooling
/// winners and the ids kept after token dropout.
final class SGDWorkspace: @unchecked Sendable {
    /// `activations[0]` is the pooled bag, `activations[i + 1]` the output of layer i.
    let activations: [UnsafeMutableBufferPointer<Float>]
    /// `deltas[i]`: the gradient of the loss with respect to `activations[i]`.
    let deltas: [UnsafeMutableBufferPointer<Float>]
    let argmax: UnsafeMutablePointer<Int32>
    /// One gradient row for Adam: as wide as the widest layer input.
    let gradient: UnsafeMutableBufferPointer<Float>
    private var kept = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 64)
    private var sorted = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 64)

    init(layers: [DenseLayer], bag: EmbeddingBag) {
        let widths = [bag.outputWidth] + layers.map(\.weights.rows)
        activations = widths.map { .allocate(capacity: $0) }
        deltas = widths.map { .allocate(capacity: $0) }
        argmax = .allocate(capacity: max(1, bag.dimensions))
        argmax.initialize(repeating: 0, count: max(1, bag.dimensions))
        gradient = .allocate(capacity: max(1, widths.max()!))
    }

    deinit {
        (activations + deltas + [gradient]).forEach { $0.deallocate() }
        argmax.deallocate()
        kept.deallocate()
        sorted.deallocate()
    }

    /// `ids` sorted, in a buffer valid until the next call on this workspace.
    func sortedCopy(of ids: UnsafeBufferPointer<Int32>) -> UnsafeBufferPointer<Int32> {
        if sorted.count < ids.count {
            sorted.deallocate()
            sorted = .allocate(capacity: 2 * ids.count)
        }
        var copy = UnsafeMutableBufferPointer(rebasing: sorted[0..<ids.count])
        _ = copy.update(fromContentsOf: ids)
        copy.sort()
        return UnsafeBufferPointer(copy)
    }

    /// `ids` with each left out at rate `dropout` (at least one kept); `ids` itself without dropout.
    func keep(_ ids: UnsafeBufferPointer<Int32>, dropout: Float, using generator: inout SplitMix64) -> UnsafeBufferPointer<Int32> {
        guard dropout > 0, ids.count > 1 else { return ids }
        if kept.count < ids.count {
            kept.deallocate()
            kept = .allocate(capacity: 2 * ids.count)
        }
        var count = 0
        for id in ids where generator.nextUnitFloat() >= dropout {
            kept[count] = id
            count += 1
        }
        if count == 0 {
            kept[0] = ids[Int(generator.next() % UInt64(ids.count))]
            count = 1
        }
        return UnsafeBufferPointer(rebasing: kept[0..<count])  // valid until the next call on this workspace
    }
}

extension UnsafeMutableBufferPointer {
    /// A new buffer holding a copy of `values` (the caller deallocates it).
    static func copying(_ values: UnsafeBufferPointer<Element>) -> UnsafeMutableBufferPointer<Element> {
        let buffer = UnsafeMutableBufferPointer<Element>.allocate(capacity: Swift.max(1, values.count))
        _ = buffer.initialize(fromContentsOf: values)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<values.count])
    }

    /// A new buffer holding a copy of `values` (the caller deallocates it).
    static func copying(_ values: [Element]) -> UnsafeMutableBufferPointer<Element> {
        values.withUnsafeBufferPointer { copying($0) }
    }
}

extension UnsafeMutableBufferPointer where Element == Float {
    /// A new buffer holding a copy of `matrix`'s elements (the caller deallocates it).
    static func copying(_ matrix: Matrix) -> UnsafeMutableBufferPointer<Float> {
        matrix.withUnsafeBufferPointer { copying($0) }
    }
}
