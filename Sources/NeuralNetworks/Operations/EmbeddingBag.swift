import LinearAlgebra

/// Bags of embedding rows pooled into one vector each (PyTorch's `EmbeddingBag`): the input layer
/// of a text network. Inputs: the row ids of every bag back to back (int32, T), where each bag
/// starts (int32, N, non-decreasing), then the row tables (float, rows × dimensions). Row ids
/// number the rows of `frozenRows` first (pre-trained rows read from a mapped store, never
/// written: a frozen table is no parameter at all), then the rows of each table input in order
/// (trainable parameters: pre-trained rows being fine-tuned, rows added for the task).
///
/// Training a bag network one example at a time with lock-free sparse updates is this
/// operation's fast training path (`Graph.trainBagClassifier`); its `backward` is the general one.
public struct EmbeddingBag: Operation {
    /// `EmbeddingBag` (no ONNX operator: exported models start after the pooling).
    public static let typeName = "EmbeddingBag"

    /// How the rows of a bag are combined.
    public enum Pooling: String, Sendable, Hashable, Codable {
        /// The mean of the rows.
        case mean
        /// The mean followed by the per-dimension maximum (twice the width).
        case meanAndMax = "mean-max"
    }

    /// How rows are pooled.
    public let pooling: Pooling
    /// The frozen rows numbered first (nil: none).
    public let frozenRows: FrozenRows?

    /// A bag pooling.
    public init(pooling: Pooling, frozenRows: FrozenRows? = nil) {
        self.pooling = pooling
        self.frozenRows = frozenRows
    }

    /// From the attribute `pooling` (`mean` or `mean-max`); a stored graph has no frozen rows.
    /// - Throws: `OperationError` for another pooling.
    public init(attributes: OperationAttributes) throws {
        self.init(pooling: Pooling(rawValue: try attributes.string("pooling", default: "mean", allowed: ["mean", "mean-max"]))!)
    }

    /// `pooling`.
    public var attributes: OperationAttributes { ["pooling": .string(pooling.rawValue)] }

    /// The tables are weights.
    public func role(ofInput position: Int) -> InputRole { position < 2 ? .data : .weight }

    /// The number of frozen rows.
    public var frozenCount: Int { frozenRows?.count ?? 0 }

    /// N × dimensions (twice that for mean-max).
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count >= 2, elementTypes[0] == .int32, elementTypes[1] == .int32, shapes[0].count == 1, shapes[1].count == 1 else {
            throw OperationError("EmbeddingBag takes int32 ids and bag starts, then its row tables")
        }
        guard shapes.count > 2 || frozenRows != nil else { throw OperationError("EmbeddingBag has no rows") }
        let dimensions = frozenRows?.dimensions ?? shapes[2][1]
        guard shapes.dropFirst(2).allSatisfy({ $0.count == 2 && $0[1] == dimensions }), elementTypes.dropFirst(2).allSatisfy({ $0 == .float32 }) else {
            throw OperationError("the row tables must be float rows of \(dimensions) values")
        }
        return [shapes[1][0], pooling == .meanAndMax ? 2 * dimensions : dimensions]
    }

    /// The ids and bag starts (the gradient goes to the rows they name).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// Every bag pooled; an empty bag gives zeros.
    /// - Throws: `OperationError` for a row id outside the tables or bag starts that run backwards.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let layout = try Layout(self, inputs)
        let tables = Array(inputs.dropFirst(2))
        var winners = pooling == .meanAndMax && context.mode == .training ? [Int32](repeating: 0, count: layout.bags * layout.dimensions) : nil
        let output = Tensor(shape: [layout.bags, layout.width]) { output in
            inputs[0].withUnsafeIntegers { ids in
                withTableAddresses(tables) { addresses in
                    for bag in 0..<layout.bags {
                        let range = layout.range(of: bag)
                        let argmax = winners.map { _ in bag * layout.dimensions }
                        withOptionalWinners(&winners, offset: argmax) { winnerSlots in
                            Self.pool(UnsafeBufferPointer(rebasing: ids[range]), into: UnsafeMutableBufferPointer(rebasing: output[(bag * layout.width)..<((bag + 1) * layout.width)]),
                                      argmax: winnerSlots, dimensions: layout.dimensions, pooling: pooling) { id in row(id, tables: addresses, dimensions: layout.dimensions) }
                        }
                    }
                }
            }
        }
        if let winners { context.save(Tensor(shape: [layout.bags, layout.dimensions], integers: winners)) }
        return output
    }

    /// Each table's gradient: every id's share of its bag's mean gradient, and each maximum's
    /// gradient to the row that won it.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let layout = try? Layout(self, pass.inputs!) else { preconditionFailure("EmbeddingBag: inputs were checked") }
        var gradients: [Tensor?] = [nil, nil] + pass.inputShapes.dropFirst(2).enumerated().map { offset, shape in
            pass.needsGradient[offset + 2] ? Tensor(zeros: shape) : nil
        }
        let tableRows = pass.inputShapes.dropFirst(2).map { $0[0] }
        let frozenCount = frozenCount, dimensions = layout.dimensions
        /// Adds `value` into row `id`'s gradient at dimension `column` (frozen rows have none).
        func add(_ id: Int, column: Int, _ value: Float) {
            var first = frozenCount
            for (table, rows) in tableRows.enumerated() {
                if id >= first && id < first + rows {
                    gradients[table + 2]?.withUnsafeMutableBufferPointer { $0[(id - first) * dimensions + column] += value }
                    return
                }
                first += rows
            }
        }
        let winners = pass.saved.first?.integers
        pass.input(0).withUnsafeIntegers { ids in
            outputGradient.withUnsafeBufferPointer { gradient in
                for bag in 0..<layout.bags {
                    let range = layout.range(of: bag)
                    guard !range.isEmpty else { continue }
                    let share = 1 / Float(range.count)
                    for position in range {
                        for column in 0..<layout.dimensions { add(Int(ids[position]), column: column, gradient[bag * layout.width + column] * share) }
                    }
                    guard let winners else { continue }
                    for column in 0..<layout.dimensions {
                        add(Int(winners[bag * layout.dimensions + column]), column: column, gradient[bag * layout.width + layout.dimensions + column])
                    }
                }
            }
        }
        return gradients
    }

    /// The pooling loop over rows found by `address` (an id → its floats); with mean-max,
    /// `argmax` (when given, `dimensions` slots) receives the id that gave each maximum.
    @inline(__always)
    static func pool(_ ids: UnsafeBufferPointer<Int32>, into output: UnsafeMutableBufferPointer<Float>, argmax: UnsafeMutablePointer<Int32>?,
                     dimensions: Int, pooling: Pooling, row address: (Int) -> UnsafeRawPointer) {
        output.update(repeating: 0)
        guard !ids.isEmpty else { return }
        let mean = UnsafeMutableBufferPointer(rebasing: output[0..<dimensions])
        for (position, id) in ids.enumerated() {
            let row = address(Int(id))
            Kernels.axpy(1, row, mean)
            guard pooling == .meanAndMax else { continue }
            for index in 0..<dimensions {
                let value = row.loadUnaligned(fromByteOffset: 4 * index, as: Float.self)
                if position == 0 || value > output[dimensions + index] {
                    output[dimensions + index] = value
                    argmax?[index] = id
                }
            }
        }
        Kernels.scale(mean, by: 1 / Float(ids.count))
    }

    /// The address of row `id`: a frozen row, or a row of one of the tables (base addresses and row counts).
    @inline(__always)
    private func row(_ id: Int, tables: [(UnsafeRawPointer, Int)], dimensions: Int) -> UnsafeRawPointer {
        if let frozenRows, id < frozenRows.count { return frozenRows.source.rowAddress(at: Int(frozenRows.sourceRows[id])) }
        var rest = id - frozenCount
        for (base, rows) in tables {
            if rest < rows { return base + 4 * rest * dimensions }
            rest -= rows
        }
        preconditionFailure("EmbeddingBag: id \(id) was checked")
    }

    /// Where one pass's bags are and how wide they pool.
    private struct Layout {
        let bags: Int, dimensions: Int, width: Int
        let starts: [Int32], idCount: Int

        /// Checks the ids against the rows and the starts against the ids.
        init(_ operation: EmbeddingBag, _ inputs: [Tensor]) throws {
            let rowCount = operation.frozenCount + inputs.dropFirst(2).reduce(0) { $0 + $1.shape[0] }
            dimensions = operation.frozenRows?.dimensions ?? inputs[2].shape[1]
            width = operation.pooling == .meanAndMax ? 2 * dimensions : dimensions
            starts = inputs[1].integers
            idCount = inputs[0].count
            bags = starts.count
            if let bad = inputs[0].withUnsafeIntegers({ ids in ids.first { $0 < 0 || Int($0) >= rowCount } }) {
                throw OperationError("row id \(bad) is outside the \(rowCount) rows")
            }
            guard zip(starts, starts.dropFirst()).allSatisfy({ $0 <= $1 }), starts.allSatisfy({ $0 >= 0 && Int($0) <= idCount }) else {
                throw OperationError("the bag starts do not rise within the \(idCount) ids")
            }
        }

        /// The positions of bag `bag`'s ids.
        func range(of bag: Int) -> Range<Int> {
            Int(starts[bag])..<(bag + 1 < bags ? Int(starts[bag + 1]) : idCount)
        }
    }
}

/// Calls `body` with each table's base address and row count.
private func withTableAddresses<R>(_ tables: [Tensor], _ body: ([(UnsafeRawPointer, Int)]) -> R) -> R {
    var addresses: [(UnsafeRawPointer, Int)] = []
    func next(_ index: Int) -> R {
        guard index < tables.count else { return body(addresses) }
        return tables[index].withUnsafeBufferPointer { values in
            addresses.append((UnsafeRawPointer(values.baseAddress!), tables[index].shape[0]))
            return next(index + 1)
        }
    }
    return next(0)
}

/// Calls `body` with the winner slots of one bag (at `offset` in `winners`), or nil without them.
private func withOptionalWinners<R>(_ winners: inout [Int32]?, offset: Int?, _ body: (UnsafeMutablePointer<Int32>?) -> R) -> R {
    guard let offset, winners != nil else { return body(nil) }
    return winners!.withUnsafeMutableBufferPointer { body($0.baseAddress! + offset) }
}
