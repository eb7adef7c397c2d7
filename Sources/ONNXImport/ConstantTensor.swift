/// A tensor known when the graph is loaded — an initializer, a `Constant`, or the result of the
/// shape arithmetic exporters leave in graphs (`Shape`, `Gather`, `Slice`, `Concat`, …) — held as
/// integers or floats in row-major order. The importer evaluates such nodes once, at load time.
struct ConstantTensor: Sendable, Equatable {
    enum Elements: Sendable, Equatable {
        case integers([Int64])
        case floats([Float])
    }

    var dimensions: [Int]
    var elements: Elements

    init(dimensions: [Int], integers: [Int64]) {
        precondition(dimensions.reduce(1, *) == integers.count, "ConstantTensor: \(integers.count) values for \(dimensions)")
        self.dimensions = dimensions
        self.elements = .integers(integers)
    }

    init(dimensions: [Int], floats: [Float]) {
        precondition(dimensions.reduce(1, *) == floats.count, "ConstantTensor: \(floats.count) values for \(dimensions)")
        self.dimensions = dimensions
        self.elements = .floats(floats)
    }

    var count: Int {
        switch elements {
        case .integers(let values): values.count
        case .floats(let values): values.count
        }
    }

    /// The values as integers (floats truncated toward zero, as `Cast` does).
    var integers: [Int64] {
        switch elements {
        case .integers(let values): values
        case .floats(let values): values.map { $0.isFinite ? Int64(max(min($0, 9.2e18), -9.2e18)) : 0 }
        }
    }

    /// The values as floats.
    var floats: [Float] {
        switch elements {
        case .integers(let values): values.map(Float.init)
        case .floats(let values): values
        }
    }

    var isInteger: Bool { if case .integers = elements { true } else { false } }

    /// The same values in another shape.
    func reshaped(_ dimensions: [Int]) -> ConstantTensor {
        var copy = self
        copy.dimensions = dimensions
        return copy
    }

    /// Picks elements by flat index, keeping the element type.
    func gathering(_ indices: [Int], dimensions: [Int]) -> ConstantTensor {
        switch elements {
        case .integers(let values): ConstantTensor(dimensions: dimensions, integers: indices.map { values[$0] })
        case .floats(let values): ConstantTensor(dimensions: dimensions, floats: indices.map { values[$0] })
        }
    }

    /// Row-major strides of `dimensions`.
    static func strides(_ dimensions: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: dimensions.count)
        for axis in stride(from: dimensions.count - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * dimensions[axis + 1] }
        return strides
    }

    /// Every multi-index of `dimensions` in row-major order, mapped through `flatIndex`.
    static func forEachIndex(_ dimensions: [Int], _ body: ([Int]) -> Void) {
        let count = dimensions.reduce(1, *)
        guard count > 0 else { return }
        var index = [Int](repeating: 0, count: dimensions.count)
        for _ in 0..<count {
            body(index)
            var axis = dimensions.count - 1
            while axis >= 0 {
                index[axis] += 1
                if index[axis] < dimensions[axis] { break }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}
