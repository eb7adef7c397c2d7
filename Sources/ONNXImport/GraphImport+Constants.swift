import LinearAlgebra
import NeuralNetworks

extension GraphImport {
    /// Evaluates a node whose inputs are all known at load time (and `Shape` of an activation).
    func evaluate(_ node: ONNXNode, index: Int) throws -> [ConstantTensor] {
        func fail(_ message: String) -> ONNXError { error(node, index: index, message) }
        func input(_ position: Int) throws -> ConstantTensor {
            guard let tensor = try constantInput(node, position, index: index) else { throw fail("input \(position + 1) is missing") }
            return tensor
        }
        func attribute(_ name: String, default fallback: Int64) throws -> Int64 {
            guard let value = node.integer(name, default: fallback) else { throw fail("attribute '\(name)' should be an integer") }
            return value
        }
        switch node.opType {
        case "Constant":
            return [try constantAttribute(node, index: index)]
        case "Identity", "Dropout":
            return [try input(0)]
        case "Shape":
            let dimensions = try shapeDimensions(of: node, index: index)
            let rank = dimensions.count
            var start = Int(try attribute("start", default: 0)), end = Int(try attribute("end", default: Int64(rank)))
            if start < 0 { start += rank }
            if end < 0 { end += rank }
            (start, end) = (min(max(start, 0), rank), min(max(end, 0), rank))
            let kept = start < end ? Array(dimensions[start..<end]) : []
            return [ConstantTensor(dimensions: [kept.count], integers: kept.map(Int64.init))]
        case "Cast":
            let to = try attribute("to", default: 1)
            let source = try input(0)
            switch ONNXTensor.DataType(rawValue: Int(to)) {
            case .float, .float16, .double: return [ConstantTensor(dimensions: source.dimensions, floats: source.floats)]
            case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64:
                return [ConstantTensor(dimensions: source.dimensions, integers: source.integers)]
            case .bool: return [ConstantTensor(dimensions: source.dimensions, integers: source.floats.map { $0 != 0 ? 1 : 0 })]
            default: throw fail("cannot cast to element type \(to)")
            }
        case "ConstantOfShape":
            let dimensions = try input(0).integers.map { try checkedDimension($0, node, index) }
            let count = try checkedCount(dimensions, node, index)
            // Exporters make pads and shapes this way; a few bytes must not make millions of values.
            guard count <= 1 << 16 else { throw fail("ConstantOfShape of \(count) values; load-time constants hold at most 65,536") }
            var fill = ConstantTensor(dimensions: [1], floats: [0])
            if case .tensor(let tensor)? = node.attributes["value"] { fill = try constant(from: tensor) }
            guard fill.count == 1 else { throw fail("the fill value must be one element") }
            return [fill.isInteger ? ConstantTensor(dimensions: dimensions, integers: .init(repeating: fill.integers[0], count: count))
                                   : ConstantTensor(dimensions: dimensions, floats: .init(repeating: fill.floats[0], count: count))]
        case "Reshape":
            let source = try input(0)
            let target = try reshapeTarget(try input(1).integers, of: source.dimensions, allowZero: try attribute("allowzero", default: 0) != 0,
                                           node, index)
            return [source.reshaped(target)]
        case "Unsqueeze", "Squeeze":
            let source = try input(0)
            let axes = try constantInput(node, 1, index: index)?.integers ?? node.integers("axes")
            return [source.reshaped(try squeezing(source.dimensions, axes: axes, unsqueeze: node.opType == "Unsqueeze", node, index))]
        case "Flatten":
            let source = try input(0)
            let axis = try normalizedAxis(try attribute("axis", default: 1), rank: source.dimensions.count, inclusive: true, node, index)
            return [source.reshaped([source.dimensions[..<axis].reduce(1, *), source.dimensions[axis...].reduce(1, *)])]
        case "Concat":
            let parts = try (0..<node.inputs.count).map { try input($0) }
            return [try concatenate(parts, axis: try attribute("axis", default: 0), node, index)]
        case "Gather":
            return [try gather(try input(0), indices: try input(1), axis: try attribute("axis", default: 0), node, index)]
        case "Slice":
            return [try slice(node, index: index, input: input)]
        case "Transpose":
            let source = try input(0)
            let rank = source.dimensions.count
            let permutation = node.integers("perm")?.map(Int.init) ?? Array((0..<rank).reversed())
            guard permutation.sorted() == Array(0..<rank) else { throw fail("perm \(permutation.abbreviated) is not a permutation of 0..<\(rank)") }
            let dimensions = permutation.map { source.dimensions[$0] }, strides = ConstantTensor.strides(source.dimensions)
            var picked: [Int] = []
            ConstantTensor.forEachIndex(dimensions) { position in
                picked.append(zip(permutation, position).reduce(0) { $0 + strides[$1.0] * $1.1 })
            }
            return [source.gathering(picked, dimensions: dimensions)]
        case "Add", "Sub", "Mul", "Div":
            let (a, b) = (try input(0), try input(1))
            if a.isInteger && b.isInteger { return [try integerArithmetic(node.opType, a, b, node, index)] }
            // Floats (weights dequantized at load, scaled tables) through the graph's vector kernels.
            let floats = [a, b].map { ConstantTensor(dimensions: $0.dimensions, floats: $0.floats) }
            return [try evaluateByOperation(node, index: index, inputs: floats)]
        case "Equal":
            let (a, b) = (try input(0), try input(1))
            let (dimensions, picks) = try broadcast([a.dimensions, b.dimensions], node, index)
            let equal: [Int64] = a.isInteger && b.isInteger
                ? zip(picks[0], picks[1]).map { a.integers[$0] == b.integers[$1] ? 1 : 0 }
                : zip(picks[0], picks[1]).map { a.floats[$0] == b.floats[$1] ? 1 : 0 }
            return [ConstantTensor(dimensions: dimensions, integers: equal)]
        case "Where":
            let (condition, a, b) = (try input(0), try input(1), try input(2))
            let (dimensions, picks) = try broadcast([condition.dimensions, a.dimensions, b.dimensions], node, index)
            let flags = condition.integers, chosen = picks[0].map { flags[$0] != 0 }
            if a.isInteger && b.isInteger {
                let (x, y) = (a.integers, b.integers)
                return [ConstantTensor(dimensions: dimensions, integers: chosen.indices.map { chosen[$0] ? x[picks[1][$0]] : y[picks[2][$0]] })]
            }
            let (x, y) = (a.floats, b.floats)
            return [ConstantTensor(dimensions: dimensions, floats: chosen.indices.map { chosen[$0] ? x[picks[1][$0]] : y[picks[2][$0]] })]
        case "Expand":
            let source = try input(0)
            let requested = try input(1).integers.map { try checkedDimension($0, node, index) }
            let (dimensions, picks) = try broadcast([source.dimensions, requested], node, index)
            return [source.gathering(picks[0], dimensions: dimensions)]
        case "Split":
            let source = try input(0)
            let axis = try normalizedAxis(try attribute("axis", default: 0), rank: source.dimensions.count, node, index)
            var start: Int64 = 0, parts: [ConstantTensor] = []
            for size in try splitSizes(node, index: index, dimension: source.dimensions[axis]) {
                parts.append(try slice(source, starts: [start], ends: [start + Int64(size)], axes: [Int64(axis)], steps: nil, node, index))
                start += Int64(size)
            }
            return parts
        case "Range":
            return [try range(try input(0), try input(1), try input(2), node, index)]
        case "Max", "Min":
            var result = try input(0)
            for position in 1..<node.inputs.count {
                let other = try input(position), (dimensions, picks) = try broadcast([result.dimensions, other.dimensions], node, index)
                let larger = node.opType == "Max"
                if result.isInteger && other.isInteger {
                    let (x, y) = (result.integers, other.integers)
                    result = ConstantTensor(dimensions: dimensions, integers: zip(picks[0], picks[1]).map { larger ? max(x[$0], y[$1]) : min(x[$0], y[$1]) })
                } else {
                    let (x, y) = (result.floats, other.floats)
                    result = ConstantTensor(dimensions: dimensions, floats: zip(picks[0], picks[1]).map { i, j in
                        x[i].isNaN || y[j].isNaN ? .nan : larger ? max(x[i], y[j]) : min(x[i], y[j])
                    })
                }
            }
            return [result]
        case "Not", "IsNaN", "And", "Or", "Xor", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "GatherND", "Sqrt", "Erf":
            return [try evaluateByOperation(node, index: index, inputs: try node.inputs.indices.map(input))]
        default:
            throw fail("operator \(node.opType) is not supported on values known at load time")
        }
    }

    /// A node of a graph operation run on constants: integers as 32-bit integers (an error when
    /// one does not fit), the result's integers (the operation's booleans) as integers.
    private func evaluateByOperation(_ node: ONNXNode, index: Int, inputs: [ConstantTensor]) throws -> ConstantTensor {
        let operation = try OperationRegistry.operation(named: node.opType, attributes: OperationAttributes(node.attributes.compactMapValues(\.operationValue)))
        let tensors = try inputs.map { constant -> Tensor in
            guard constant.isInteger else { return Tensor(shape: constant.dimensions, elements: constant.floats) }
            return Tensor(shape: constant.dimensions, integers: try constant.integers.map { value in
                guard let narrow = Int32(exactly: value) else { throw error(node, index: index, "integer \(value) is out of the 32-bit range") }
                return narrow
            })
        }
        _ = try operation.outputShape(for: tensors.map(\.shape), elementTypes: tensors.map(\.elementType))
        var context = ForwardContext(mode: .inference, parallelism: .serial, generator: SplitMix64(seed: 0))
        let result = try operation.forward(tensors, context: &context)
        return result.elementType == .int32 ? ConstantTensor(dimensions: result.shape, integers: result.integers.map(Int64.init))
                                            : ConstantTensor(dimensions: result.shape, floats: result.scalars)
    }

    /// The sizes `Split` cuts a dimension of `dimension` into: its `split` input or attribute, or
    /// equal parts (one per output, or `num_outputs`; the last smaller when it does not divide).
    func splitSizes(_ node: ONNXNode, index: Int, dimension: Int) throws -> [Int] {
        if let given = try constantInput(node, 1, index: index)?.integers ?? node.integers("split") {
            guard given.count == node.outputs.count, given.allSatisfy({ $0 >= 0 }), given.reduce(0, +) == Int64(dimension) else {
                throw error(node, index: index, "split sizes \(given.abbreviated) do not cut \(dimension) into \(node.outputs.count) outputs")
            }
            return given.map { Int($0) }
        }
        let parts = Int(node.integer("num_outputs", default: Int64(node.outputs.count)) ?? 0)
        guard parts >= 1, parts == node.outputs.count else { throw error(node, index: index, "Split into \(parts) parts has \(node.outputs.count) outputs") }
        let chunk = (dimension + parts - 1) / parts
        return (0..<parts).map { max(0, min(chunk, dimension - $0 * chunk)) }
    }

    /// `Range(start, limit, delta)`: start, start + delta, … up to limit (exclusive).
    private func range(_ start: ConstantTensor, _ limit: ConstantTensor, _ delta: ConstantTensor, _ node: ONNXNode, _ index: Int) throws -> ConstantTensor {
        guard start.count == 1, limit.count == 1, delta.count == 1 else { throw error(node, index: index, "Range takes three scalars") }
        if start.isInteger && limit.isInteger && delta.isInteger {
            let (first, end, step) = (start.integers[0], limit.integers[0], delta.integers[0])
            guard step != 0 else { throw error(node, index: index, "Range's delta is 0") }
            let (span, overflow) = end.subtractingReportingOverflow(first)
            guard !overflow else { throw error(node, index: index, "Range from \(first) to \(end) overflows") }
            let count = max(0, span / step + (span % step != 0 && (span > 0) == (step > 0) ? 1 : 0))
            _ = try checkedCount([Int(count)], node, index)
            return ConstantTensor(dimensions: [Int(count)], integers: (0..<count).map { first + $0 * step })
        }
        let (first, end, step) = (Double(start.floats[0]), Double(limit.floats[0]), Double(delta.floats[0]))
        guard step != 0, first.isFinite, end.isFinite, step.isFinite else { throw error(node, index: index, "Range needs finite bounds and a non-zero delta") }
        let count = max(0, ((end - first) / step).rounded(.up))
        guard count <= Double(1 << 24) else { throw error(node, index: index, "Range of \(count) values") }
        return ConstantTensor(dimensions: [Int(count)], floats: (0..<Int(count)).map { Float(first + Double($0) * step) })
    }

    private func constantAttribute(_ node: ONNXNode, index: Int) throws -> ConstantTensor {
        switch node.attributes.first?.value {
        case .tensor(let tensor)?: return try constant(from: tensor)
        case .float(let value)?: return ConstantTensor(dimensions: [], floats: [value])
        case .floats(let values)?: return ConstantTensor(dimensions: [values.count], floats: values)
        case .integer(let value)?: return ConstantTensor(dimensions: [], integers: [value])
        case .integers(let values)?: return ConstantTensor(dimensions: [values.count], integers: values)
        default: throw error(node, index: index, "a Constant needs a value attribute")
        }
    }

    /// The full dimensions (batch 1 first) of what `Shape` reads.
    private func shapeDimensions(of node: ONNXNode, index: Int) throws -> [Int] {
        guard let name = node.inputs.first else { throw error(node, index: index, "Shape needs an input") }
        switch try value(name, of: node, index: index) {
        case .constant(let tensor): return readsBatchTwo ? (constantsAtBatchTwo[name] ?? tensor).dimensions : tensor.dimensions
        case .activation(let value, let shape):
            guard readsBatchTwo else { return shape }
            guard let atBatchTwo = exampleShapeAtBatchTwo(of: value) else { throw error(node, index: index, "the shape at batch 2 is unknown") }
            return atBatchTwo
        }
    }

    func checkedDimension(_ value: Int64, _ node: ONNXNode, _ index: Int) throws -> Int {
        guard value >= 0, value <= 1 << 31 else { throw error(node, index: index, "dimension \(value) out of range") }
        return Int(value)
    }

    func checkedCount(_ dimensions: [Int], _ node: ONNXNode, _ index: Int) throws -> Int {
        var count = 1
        for dimension in dimensions {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            guard !overflow, product <= 1 << 24 else { throw error(node, index: index, "a tensor of \(dimensions.abbreviated) is too large") }
            count = product
        }
        return count
    }

    func normalizedAxis(_ axis: Int64, rank: Int, inclusive: Bool = false, _ node: ONNXNode, _ index: Int) throws -> Int {
        let limit = inclusive ? rank + 1 : rank
        let normalized = axis < 0 ? Int(axis) + limit - (inclusive ? 1 : 0) : Int(clamping: axis)
        guard normalized >= 0, normalized < limit else { throw error(node, index: index, "axis \(axis) out of range for rank \(rank)") }
        return normalized
    }

    /// A `Reshape` target with its 0s (copy) and one -1 (inferred) resolved.
    func reshapeTarget(_ requested: [Int64], of dimensions: [Int], allowZero: Bool, _ node: ONNXNode, _ index: Int) throws -> [Int] {
        let count = dimensions.reduce(1, *)
        var target: [Int] = [], inferred: Int?
        for (axis, value) in requested.enumerated() {
            switch value {
            case -1:
                guard inferred == nil else { throw error(node, index: index, "Reshape may infer one dimension, not two") }
                inferred = axis
                target.append(1)
            case 0 where !allowZero:
                guard axis < dimensions.count else { throw error(node, index: index, "Reshape copies dimension \(axis), which the input lacks") }
                target.append(dimensions[axis])
            default: target.append(try checkedDimension(value, node, index))
            }
        }
        let known = try checkedCount(target, node, index)
        if let inferred {
            guard known > 0, count % known == 0 else { throw error(node, index: index, "cannot reshape \(dimensions) to \(requested)") }
            target[inferred] = count / known
        }
        guard target.reduce(1, *) == count else { throw error(node, index: index, "cannot reshape \(dimensions) to \(requested)") }
        return target
    }

    func squeezing(_ dimensions: [Int], axes: [Int64]?, unsqueeze: Bool, _ node: ONNXNode, _ index: Int) throws -> [Int] {
        if unsqueeze {
            guard let axes else { throw error(node, index: index, "Unsqueeze needs axes") }
            let rank = dimensions.count + axes.count
            let normalized = Set(try axes.map { try normalizedAxis($0, rank: rank, node, index) })
            guard normalized.count == axes.count else { throw error(node, index: index, "repeated axes \(axes.abbreviated)") }
            var source = dimensions.makeIterator()
            return (0..<rank).map { normalized.contains($0) ? 1 : source.next()! }
        }
        let normalized = try Set((axes ?? []).map { try normalizedAxis($0, rank: dimensions.count, node, index) })
        return dimensions.enumerated().filter { axis, size in
            axes == nil ? size != 1 : !normalized.contains(axis)
        }.map(\.element)
    }

    private func concatenate(_ parts: [ConstantTensor], axis: Int64, _ node: ONNXNode, _ index: Int) throws -> ConstantTensor {
        guard let first = parts.first else { throw error(node, index: index, "Concat needs inputs") }
        let rank = first.dimensions.count
        let axis = try normalizedAxis(axis, rank: max(rank, 1), node, index)
        guard parts.allSatisfy({ $0.dimensions.count == rank && $0.dimensions.enumerated().allSatisfy { $0 == axis || $1 == first.dimensions[$0] } })
        else { throw error(node, index: index, "Concat inputs differ in shape: \(parts.map(\.dimensions))") }
        var dimensions = first.dimensions
        dimensions[axis] = parts.reduce(0) { $0 + $1.dimensions[axis] }
        let outer = first.dimensions[..<axis].reduce(1, *)
        let integers = parts.allSatisfy(\.isInteger)
        var ints: [Int64] = [], floats: [Float] = []
        for block in 0..<outer {
            for part in parts {
                let size = part.dimensions[axis...].reduce(1, *)
                if integers { ints += part.integers[(block * size)..<((block + 1) * size)] } else { floats += part.floats[(block * size)..<((block + 1) * size)] }
            }
        }
        return integers ? ConstantTensor(dimensions: dimensions, integers: ints) : ConstantTensor(dimensions: dimensions, floats: floats)
    }

    private func gather(_ data: ConstantTensor, indices: ConstantTensor, axis: Int64, _ node: ONNXNode, _ index: Int) throws -> ConstantTensor {
        let rank = data.dimensions.count
        guard rank > 0 else { throw error(node, index: index, "Gather needs data of rank 1 or more") }
        let axis = try normalizedAxis(axis, rank: rank, node, index)
        let size = data.dimensions[axis]
        let picks = try indices.integers.map { value -> Int in
            let resolved = value < 0 ? Int(value) + size : Int(clamping: value)
            guard resolved >= 0, resolved < size else { throw error(node, index: index, "index \(value) out of range 0..<\(size)") }
            return resolved
        }
        let outer = data.dimensions[..<axis].reduce(1, *), inner = data.dimensions[(axis + 1)...].reduce(1, *)
        _ = try checkedCount([outer, picks.count, inner], node, index)
        var flat: [Int] = []
        for block in 0..<outer { for pick in picks { for offset in 0..<inner { flat.append((block * size + pick) * inner + offset) } } }
        let dimensions = Array(data.dimensions[..<axis]) + indices.dimensions + Array(data.dimensions[(axis + 1)...])
        return data.gathering(flat, dimensions: dimensions)
    }

    private func slice(_ node: ONNXNode, index: Int, input: (Int) throws -> ConstantTensor) throws -> ConstantTensor {
        let data = try input(0)
        let starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?
        if node.inputs.count >= 3 {
            (starts, ends) = (try input(1).integers, try input(2).integers)
            axes = try constantInput(node, 3, index: index)?.integers
            steps = try constantInput(node, 4, index: index)?.integers
        } else {
            guard let s = node.integers("starts"), let e = node.integers("ends") else { throw error(node, index: index, "Slice needs starts and ends") }
            (starts, ends, axes, steps) = (s, e, node.integers("axes"), nil)
        }
        return try slice(data, starts: starts, ends: ends, axes: axes, steps: steps, node, index)
    }

    /// The box of `data` from `starts` to `ends` along `axes` (all, in order, when nil) by `steps` (1 when nil).
    private func slice(_ data: ConstantTensor, starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?,
                       _ node: ONNXNode, _ index: Int) throws -> ConstantTensor {
        let rank = data.dimensions.count
        let axisList = try (axes ?? (0..<Int64(starts.count)).map { $0 }).map { try normalizedAxis($0, rank: rank, node, index) }
        let stepList = steps ?? [Int64](repeating: 1, count: starts.count)
        guard starts.count == ends.count, axisList.count == starts.count, stepList.count == starts.count, Set(axisList).count == axisList.count else {
            throw error(node, index: index, "Slice's starts, ends, axes and steps disagree in length")
        }
        var ranges = data.dimensions.map { (start: 0, step: 1, count: $0) }
        for (position, axis) in axisList.enumerated() {
            let size = Int64(data.dimensions[axis])
            guard stepList[position] != 0 else { throw error(node, index: index, "Slice step 0") }
            // A step beyond the axis picks at most one element either way; clamping it keeps the arithmetic in range.
            let step = max(min(stepList[position], max(size, 1)), -max(size, 1))
            func clampIndex(_ value: Int64, _ low: Int64, _ high: Int64) -> Int64 {
                let resolved = value < 0 ? value &+ size : value
                return min(max(resolved, low), high)
            }
            let start = step > 0 ? clampIndex(starts[position], 0, size) : clampIndex(starts[position], 0, size - 1)
            let end = step > 0 ? clampIndex(ends[position], 0, size) : clampIndex(ends[position], -1, size - 1)
            let count = step > 0 ? max(0, (end - start + step - 1) / step) : max(0, (start - end + (-step) - 1) / (-step))
            ranges[axis] = (Int(start), Int(step), Int(count))
        }
        let strides = ConstantTensor.strides(data.dimensions)
        var flat: [Int] = []
        ConstantTensor.forEachIndex(ranges.map(\.count)) { position in
            flat.append(position.enumerated().reduce(0) { $0 + (ranges[$1.offset].start + $1.element * ranges[$1.offset].step) * strides[$1.offset] })
        }
        return data.gathering(flat, dimensions: ranges.map(\.count))
    }

    /// The NumPy broadcast of `shapes`, and for each shape the element each output position reads.
    private func broadcast(_ shapes: [[Int]], _ node: ONNXNode, _ index: Int) throws -> (dimensions: [Int], picks: [[Int]]) {
        let rank = shapes.map(\.count).max() ?? 0
        let padded = shapes.map { [Int](repeating: 1, count: rank - $0.count) + $0 }
        let dimensions = try (0..<rank).map { axis in
            let sizes = Set(padded.map { $0[axis] }).subtracting([1])
            guard sizes.count <= 1 else { throw error(node, index: index, "cannot broadcast \(shapes.map { $0.abbreviated })") }
            return sizes.first ?? 1
        }
        _ = try checkedCount(dimensions, node, index)
        return (dimensions, padded.map { shape in
            let strides = ConstantTensor.strides(shape)
            var picks: [Int] = []
            ConstantTensor.forEachIndex(dimensions) { position in
                picks.append(position.enumerated().reduce(0) { $0 + (shape[$1.offset] == 1 ? 0 : $1.element * strides[$1.offset]) })
            }
            return picks
        })
    }

    /// `a op b` for integers (shape arithmetic) with NumPy broadcasting.
    private func integerArithmetic(_ op: String, _ a: ConstantTensor, _ b: ConstantTensor, _ node: ONNXNode, _ index: Int) throws -> ConstantTensor {
        let (dimensions, picks) = try broadcast([a.dimensions, b.dimensions], node, index)
        let (x, y) = (a.integers, b.integers)
        let values = try zip(picks[0], picks[1]).map { i, j -> Int64 in
            switch op {
            case "Add": return x[i] &+ y[j]
            case "Sub": return x[i] &- y[j]
            case "Mul": return x[i] &* y[j]
            default:
                guard y[j] != 0 else { throw error(node, index: index, "integer division by zero") }
                return x[i] / y[j]
            }
        }
        return ConstantTensor(dimensions: dimensions, integers: values)
    }
}
