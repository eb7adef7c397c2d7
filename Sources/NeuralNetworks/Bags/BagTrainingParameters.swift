import Foundation
import LinearAlgebra

/// The parameters of a bag classifier graph (see `BagClassifier`) while its sparse training path
/// runs: flat buffers that several threads update without locks, as fastText's Hogwild training does.
///
/// `@unchecked Sendable` because the training threads share these buffers on purpose: a race on
/// one float loses part of one update, which lock-free SGD tolerates (Recht et al., 2011). With
/// one thread there is no sharing and training is reproducible to the bit.
final class BagTrainingParameters: @unchecked Sendable {
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

    init(_ graph: Graph, parts: BagClassifier, loss: OutputLoss, optimizer: BagOptimizer) {
        func values(_ index: Int) -> Tensor { graph.parameters[index].value }
        layerShapes = parts.layers.map { (values($0.weights).shape[0], values($0.weights).shape[1]) }
        pooling = parts.bag.pooling
        outputLoss = loss
        weights = parts.layers.map { values($0.weights).withUnsafeBufferPointer { .copying($0) } }
        bias = parts.layers.map { values($0.bias).withUnsafeBufferPointer { .copying($0) } }
        let added = values(parts.addedTable)
        dimensions = added.shape[1]
        frozenBase = parts.bag.frozenRows
        baseRows = parts.baseTable.map { values($0).withUnsafeBufferPointer { .copying($0) } }
        baseCount = frozenBase?.count ?? parts.baseTable.map { values($0).shape[0] } ?? 0
        addedRows = added.withUnsafeBufferPointer { .copying($0) }
        touched = .copying([UInt8](repeating: 0, count: baseCount + added.shape[0]))
        adam = optimizer == .sgd ? nil : LazyAdamMoments(
            weightCounts: weights.map(\.count), biasCounts: bias.map(\.count), baseCount: baseCount, baseTrains: baseRows != nil,
            addedCount: added.shape[0], dimensions: dimensions)
    }

    deinit {
        (weights + bias + [addedRows]).forEach { $0.deallocate() }
        baseRows?.deallocate()
        touched.deallocate()
    }

    /// Writes the buffers' values into `graph`'s parameters (the graph the buffers were made
    /// from, whose trainable row tables may have been emptied meanwhile); with
    /// `zeroingUntouchedAddedRows`, the added rows no update touched become zeros (an untrained
    /// added row holds only its random start, which a model file need not keep).
    func write(into graph: inout Graph, parts: BagClassifier, zeroingUntouchedAddedRows: Bool) {
        for (index, layer) in parts.layers.enumerated() {
            graph.parameters[layer.weights].value = Self.tensor([layerShapes[index].rows, layerShapes[index].columns], weights[index])
            graph.parameters[layer.bias].value = Self.tensor([layerShapes[index].rows], bias[index])
        }
        if let baseTable = parts.baseTable, let baseRows { graph.parameters[baseTable].value = Self.tensor([baseCount, dimensions], baseRows) }
        let addedCount = addedRows.count / max(1, dimensions), dimensions = dimensions, baseCount = baseCount
        graph.parameters[parts.addedTable].value = Tensor(shape: [addedCount, dimensions]) { target in
            _ = target.update(fromContentsOf: addedRows)
            guard zeroingUntouchedAddedRows else { return }
            for row in 0..<addedCount where touched[baseCount + row] == 0 {
                UnsafeMutableBufferPointer(rebasing: target[(row * dimensions)..<((row + 1) * dimensions)]).update(repeating: 0)
            }
        }
    }

    /// A tensor of `shape` holding a copy of `values`.
    private static func tensor(_ shape: [Int], _ values: UnsafeMutableBufferPointer<Float>) -> Tensor {
        Tensor(shape: shape) { _ = $0.update(fromContentsOf: values) }
    }

    /// Sets the added rows of `graph` that no update touched to zero.
    func zeroUntouchedAddedRows(in graph: inout Graph, parts: BagClassifier) {
        var added = graph.parameters[parts.addedTable].value
        let dimensions = dimensions, baseCount = baseCount
        added.withUnsafeMutableBufferPointer { rows in
            for row in 0..<(rows.count / max(1, dimensions)) where touched[baseCount + row] == 0 {
                UnsafeMutableBufferPointer(rebasing: rows[(row * dimensions)..<((row + 1) * dimensions)]).update(repeating: 0)
            }
        }
        graph.setValue(added, ofParameter: parts.addedTable)
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
              embeddingMultiplier: Float, dropout: Float, workspace: BagTrainingWorkspace, using generator: inout SplitMix64) -> Double {
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
                                  step: Float, workspace: BagTrainingWorkspace) {
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
final class BagTrainingWorkspace: @unchecked Sendable {
    /// `activations[0]` is the pooled bag, `activations[i + 1]` the output of layer i.
    let activations: [UnsafeMutableBufferPointer<Float>]
    /// `deltas[i]`: the gradient of the loss with respect to `activations[i]`.
    let deltas: [UnsafeMutableBufferPointer<Float>]
    let argmax: UnsafeMutablePointer<Int32>
    /// One gradient row for Adam: as wide as the widest layer input.
    let gradient: UnsafeMutableBufferPointer<Float>
    private var kept = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 64)
    private var sorted = UnsafeMutableBufferPointer<Int32>.allocate(capacity: 64)

    init(layerOutputs: [Int], dimensions: Int, pooling: EmbeddingBag.Pooling) {
        let widths = [pooling == .meanAndMax ? 2 * dimensions : dimensions] + layerOutputs
        activations = widths.map { .allocate(capacity: $0) }
        deltas = widths.map { .allocate(capacity: $0) }
        argmax = .allocate(capacity: max(1, dimensions))
        argmax.initialize(repeating: 0, count: max(1, dimensions))
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
