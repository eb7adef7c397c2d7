import LinearAlgebra
import NeuralNetworks

extension GraphImport {
    /// Adds a node computed from the inputs, as the graph operation of the same ONNX operator.
    mutating func addActivation(_ node: ONNXNode, index: Int) throws {
        func fail(_ message: String) -> ONNXError { error(node, index: index, message) }
        func activation(_ position: Int) throws -> (value: Graph.Value, shape: [Int]) { try activationInput(node, position, index: index) }
        /// Adds `operation` on the activation at input 0 (with the constants at the other positions as parameters of `kinds`).
        func unary(_ operation: any Operation, kinds: [Graph.Parameter.Kind] = []) throws {
            var inputs = [try activation(0).value]
            for (offset, kind) in kinds.enumerated() where offset + 1 < node.inputs.count && !node.inputs[offset + 1].isEmpty {
                inputs.append(try operand(node, offset + 1, index: index, kind: kind))
            }
            let (value, shape) = try append(operation, inputs, node: node, index: index)
            define(node, as: value, shape: shape)
        }
        let attributes = OperationAttributes(node.attributes.compactMapValues(\.operationValue))
        // Only Reshape and Expand know how to follow an integer operand computed from the batch size; elsewhere
        // its batch-1 value would be wrong for every other batch.
        if node.opType != "Reshape", node.opType != "Expand", let name = node.inputs.first(where: { constantsAtBatchTwo[$0]?.isInteger == true }) {
            throw fail("input '\(name)' is computed from the batch size, which \(node.opType) cannot follow")
        }
        do {
            switch node.opType {
            case "Conv":
                try addConvolution(node, index: index, attributes: attributes)
            case "BatchNormalization":
                try unary(try BatchNormalization(attributes: attributes), kinds: [.weight, .weight, .statistic, .statistic])
            case "LayerNormalization":
                let normalization = try LayerNormalization(attributes: attributes)
                try unary(normalization, kinds: [.weight, .weight])
                try addLayerNormalizationStatistics(node, index: index, normalization)
            case "Clip":
                var lower = try constantInput(node, 1, index: index)?.floats.first, upper = try constantInput(node, 2, index: index)?.floats.first
                if let minimum = try attributes.optionalFloat("min") { lower = minimum }
                if let maximum = try attributes.optionalFloat("max") { upper = maximum }
                guard (lower ?? -.infinity) <= (upper ?? .infinity) else { throw fail("Clip's min exceeds its max") }
                try unary(Clip(lower: lower ?? -.infinity, upper: upper ?? .infinity))
            case "Softmax", "LogSoftmax":
                let rank = try activation(0).shape.count
                let axis = try attributes.integer("axis", default: model.opsetVersion >= 13 ? -1 : 1)
                // Before opset 13 the operator flattens from `axis` on; that is the same as one axis only when it is the last.
                guard model.opsetVersion >= 13 || axis == -1 || axis == rank - 1 else {
                    throw fail("\(node.opType) before opset 13 over several dimensions is not supported")
                }
                try unary(node.opType == "Softmax" ? Softmax(axis: axis) : LogSoftmax(axis: axis))
            case "Relu", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh", "Erf", "Gelu", "Sqrt", "GlobalAveragePool", "Flatten", "Transpose":
                try unary(try OperationRegistry.operation(named: node.opType, attributes: attributes))
            case "MaxPool", "AveragePool":
                guard node.outputs.count == 1 || node.outputs[1].isEmpty else { throw fail("MaxPool's indices output is not supported") }
                let shape = try activation(0).shape
                guard shape.count == 4 else { throw fail("\(node.opType) needs N × C × H × W input") }
                var values = attributes.values
                values["pads"] = .integers(try resolvedPads(node, index: index, attributes: attributes, input: shape,
                                                            kernel: try attributes.integers("kernel_shape", count: 2, in: 1...1024)))
                values["auto_pad"] = nil
                try unary(try OperationRegistry.operation(named: node.opType, attributes: OperationAttributes(values)))
            case "ReduceMean", "ReduceSum":
                var values = attributes.values
                if let axes = try constantInput(node, 1, index: index) { values["axes"] = .integers(axes.integers.map { Int(clamping: $0) }) }
                let noOperation = try attributes.integer("noop_with_empty_axes", default: 0, in: 0...1) == 1
                values["noop_with_empty_axes"] = nil
                if noOperation, (values["axes"].map { $0 == .integers([]) } ?? true) {
                    let (input, shape) = try activation(0)
                    define(node, as: input, shape: shape)
                } else {
                    if values["axes"] == .integers([]) { values["axes"] = nil }
                    try unary(try OperationRegistry.operation(named: node.opType, attributes: OperationAttributes(values)))
                }
            case "Slice":
                var values = attributes.values
                for (position, name) in ["starts", "ends", "axes", "steps"].enumerated() {
                    if let constant = try constantInput(node, position + 1, index: index) { values[name] = .integers(constant.integers.map { Int(clamping: $0) }) }
                }
                try unary(try Slice(attributes: OperationAttributes(values)))
            case "Add", "Sub", "Mul", "Div", "Pow", "MatMul":
                // Integer constants (a Pow's exponent, a Div's count) take part as floats; initializers
                // a framework trained (a LayerNorm's scale written as Mul) train on.
                let inputs = try (0..<2).map { position in
                    let trained = node.opType == "MatMul" || isTrainedInitializer(node.inputs[position])
                    return try operand(node, position, index: index, kind: trained ? .weight : .constant, asFloats: true)
                }
                let (value, shape) = try append(try OperationRegistry.operation(named: node.opType, attributes: [:]), inputs, node: node, index: index)
                define(node, as: value, shape: shape)
            case "Gemm":
                var data = try activation(0).value, values = attributes.values
                if try attributes.integer("transA", default: 0, in: 0...1) == 1 {
                    data = try append(Transpose(permutation: [1, 0]), [data], node: node, index: index).0
                    values["transA"] = nil
                }
                let inputs = try [data] + (1..<node.inputs.count).filter { !node.inputs[$0].isEmpty }
                    .map { try operand(node, $0, index: index, kind: .weight) }
                let (value, shape) = try append(try Gemm(attributes: OperationAttributes(values)), inputs, node: node, index: index)
                define(node, as: value, shape: shape)
            case "Reshape":
                try addReshape(node, index: index)
            case "Gather":
                // Rows of a float table known at load time picked by computed ids: an embedding, which trains.
                let data = try operand(node, 0, index: index, kind: .weight), indices = try operand(node, 1, index: index, kind: .constant)
                let (value, shape) = try append(try Gather(attributes: attributes), [data, indices], node: node, index: index)
                define(node, as: value, shape: shape)
            case "Cast", "IsNaN", "Not":
                try unary(try OperationRegistry.operation(named: node.opType, attributes: attributes))
            case "Equal", "Greater", "GreaterOrEqual", "Less", "LessOrEqual", "And", "Or", "Xor", "Where", "GatherND":
                let inputs = try node.inputs.indices.map { try operand(node, $0, index: index, kind: .constant) }
                let (value, shape) = try append(try OperationRegistry.operation(named: node.opType, attributes: attributes), inputs, node: node, index: index)
                define(node, as: value, shape: shape)
            case "Max", "Min":
                // More than two inputs fold pairwise; one is itself.
                var result = try operand(node, 0, index: index, kind: .constant, asFloats: true), shape = exampleShape(of: result)
                for position in 1..<node.inputs.count {
                    let other = try operand(node, position, index: index, kind: .constant, asFloats: true)
                    (result, shape) = try append(try OperationRegistry.operation(named: node.opType, attributes: [:]), [result, other], node: node, index: index)
                }
                define(node, as: result, shape: shape)
            case "Expand":
                try addExpand(node, index: index)
            case "Squeeze", "Unsqueeze":
                try addSqueeze(node, index: index)
            case "Split":
                try addSplit(node, index: index)
            case "Concat":
                let parts = try node.inputs.indices.map { try operand(node, $0, index: index, kind: .constant) }
                let (value, shape) = try append(try Concat(attributes: attributes), parts, node: node, index: index)
                define(node, as: value, shape: shape)
            case "Dropout", "Identity":
                if node.opType == "Dropout", try constantInput(node, 2, index: index)?.integers.first ?? 0 != 0,
                   try constantInput(node, 1, index: index)?.floats.first ?? 0.5 != 0 {
                    throw fail("Dropout in training mode (training_mode true) drops at random; only inference is supported")
                }
                guard node.outputs.count < 2 || node.outputs[1].isEmpty || (readers[node.outputs[1]] ?? 0) == 0 else {
                    throw fail("\(node.opType)'s mask output is not supported")
                }
                let (input, shape) = try activation(0)
                define(node, as: input, shape: shape)
            case "Pad":
                try addPad(node, index: index)
            default:
                throw fail("operator \(node.opType) is not supported")
            }
        } catch let failure as OperationError {
            throw fail(failure.message)
        }
    }

    /// The activation (graph value and example shape) at input `position` of `node`; an error when
    /// that input is missing or known at load time.
    private func activationInput(_ node: ONNXNode, _ position: Int, index: Int) throws -> (value: Graph.Value, shape: [Int]) {
        guard position < node.inputs.count, case .activation(let value, let shape) = try self.value(node.inputs[position], of: node, index: index)
        else { throw error(node, index: index, "input \(position + 1) should be computed from the inputs") }
        return (value, shape)
    }

    /// LayerNormalization's optional outputs `Mean` and `InvStdDev` (the statistics over the
    /// normalised axes, kept as dimensions of 1), when something reads them: computed beside the
    /// normalisation by the same primitives an exporter would use.
    private mutating func addLayerNormalizationStatistics(_ node: ONNXNode, index: Int, _ normalization: LayerNormalization) throws {
        let wanted = node.outputs.dropFirst().prefix(2).map { !$0.isEmpty && (readers[$0] ?? 0) > 0 }
        guard wanted.contains(true), case .activation(let input, let shape) = try value(node.inputs[0], of: node, index: index) else { return }
        let first = normalization.axis < 0 ? normalization.axis + shape.count : normalization.axis
        let statistics = ReduceMean(axes: Array(first..<shape.count), keepsDimensions: true)
        let (mean, meanShape) = try append(statistics, [input], node: node, index: index)
        values[node.outputs[1]] = .activation(mean, shape: meanShape)
        guard wanted.count > 1, wanted[1] else { return }
        let centred = try append(Sub(), [input, mean], node: node, index: index).0
        let squared = try append(Mul(), [centred, centred], node: node, index: index).0
        let variance = try append(statistics, [squared], node: node, index: index).0
        let epsilon = builder.parameter("\(node.outputs[2])_epsilon", Tensor(shape: [1], elements: [normalization.epsilon]), kind: .constant)
        let deviation = try append(Sqrt(), [try append(Add(), [variance, epsilon], node: node, index: index).0], node: node, index: index).0
        let one = builder.parameter("\(node.outputs[2])_one", Tensor(shape: [1], elements: [1]), kind: .constant)
        let (inverse, inverseShape) = try append(Div(), [one, deviation], node: node, index: index)
        values[node.outputs[2]] = .activation(inverse, shape: inverseShape)
    }

    private mutating func addConvolution(_ node: ONNXNode, index: Int, attributes: OperationAttributes) throws {
        guard case .activation(var input, var shape) = try value(node.inputs[0], of: node, index: index), shape.count == 4 else {
            throw error(node, index: index, "Conv needs N × C × H × W input computed from the inputs")
        }
        guard let weights = try constantInput(node, 1, index: index), weights.dimensions.count == 4 else {
            throw error(node, index: index, "Conv weights must be a constant of 4 dimensions (2-D convolution)")
        }
        var extraPads = [0, 0, 0, 0]
        if let pending = pendingPads[node.inputs[0]] { (input, shape, extraPads) = (pending.source, pending.shape, pending.pads) }
        var values = attributes.values
        values["pads"] = .integers(try resolvedPads(node, index: index, attributes: attributes, input: shape,
                                                    kernel: [weights.dimensions[2], weights.dimensions[3]]).enumerated().map { $1 + extraPads[$0] })
        values["auto_pad"] = nil
        let operation = try Convolution(attributes: OperationAttributes(values))
        let filters = try operand(node, 1, index: index, kind: .weight)
        let bias = node.inputs.count > 2 && !node.inputs[2].isEmpty ? [try operand(node, 2, index: index, kind: .weight)] : []
        let (value, outputShape) = try append(operation, [input, filters] + bias, node: node, index: index)
        define(node, as: value, shape: outputShape)
    }

    /// The pads of a Conv or pooling node (top, left, bottom, right): explicit, or from `auto_pad`.
    private func resolvedPads(_ node: ONNXNode, index: Int, attributes: OperationAttributes, input: [Int], kernel: [Int]) throws -> [Int] {
        let explicit = try attributes.integers("pads", default: [0, 0, 0, 0], count: 4, in: 0...1024)
        let autoPad = try attributes.string("auto_pad", default: "NOTSET", allowed: ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"])
        switch autoPad {
        case "NOTSET": return explicit
        case "VALID": return [0, 0, 0, 0]
        default:
            let strides = try attributes.integers("strides", default: [1, 1], count: 2, in: 1...1024)
            let dilations = try attributes.integers("dilations", default: [1, 1], count: 2, in: 1...1024)
            var pads = [0, 0, 0, 0]
            for (axis, size) in [input[2], input[3]].enumerated() {
                let output = (size + strides[axis] - 1) / strides[axis]
                let span = dilations[axis] * (kernel[axis] - 1) + 1
                let total = max(0, (output - 1) * strides[axis] + span - size)
                let (small, large) = (total / 2, total - total / 2)
                (pads[axis], pads[axis + 2]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small)
            }
            return pads
        }
    }

    private mutating func addReshape(_ node: ONNXNode, index: Int) throws {
        let (input, shape) = try activationInput(node, 0, index: index)
        guard var target = try constantInput(node, 1, index: index)?.integers.map({ Int(clamping: $0) }), !target.isEmpty else {
            throw error(node, index: index, "Reshape needs a known target shape")
        }
        if let atBatchTwo = constantsAtBatchTwo[node.inputs[1]]?.integers.map({ Int(clamping: $0) }), atBatchTwo.count == target.count {
            // Computed from the batch size: the one dimension that follows it copies the input's or is inferred.
            let following = target.indices.filter { target[$0] != atBatchTwo[$0] }
            guard following.count == 1, let axis = following.first else {
                throw error(node, index: index, "the target shape depends on the batch size in \(following.count) dimensions")
            }
            let inputAtBatchTwo = exampleShapeAtBatchTwo(of: input)
            if axis < shape.count, shape[axis] == target[axis], inputAtBatchTwo?[axis] == atBatchTwo[axis] {
                target[axis] = 0
            } else {
                guard !target.contains(-1) else { throw error(node, index: index, "the target shape infers one dimension and follows the batch in another") }
                target[axis] = -1
            }
        } else if !declaredShapes, target[0] == 1, let rest = try? reshapeTarget(target.dropFirst().map(Int64.init), of: Array(shape.dropFirst()), allowZero: false, node, index),
           rest.reduce(1, *) == shape.dropFirst().reduce(1, *) {
            // A graph traced at batch 1 may have the batch folded to 1: keep it the batch when the rest is one example.
            target[0] = 0
        }
        let (value, outputShape) = try append(try Reshape(attributes: ["shape": .integers(target)]), [input], node: node, index: index)
        define(node, as: value, shape: outputShape)
    }

    /// `Squeeze` or `Unsqueeze` of an activation, as the `Reshape` it is (a dimension that
    /// follows the batch stays inferred).
    private mutating func addSqueeze(_ node: ONNXNode, index: Int) throws {
        let (input, shape) = try activationInput(node, 0, index: index)
        let unsqueeze = node.opType == "Unsqueeze", atBatchTwo = exampleShapeAtBatchTwo(of: input) ?? shape
        var axes = try constantInput(node, 1, index: index)?.integers ?? node.integers("axes")
        // Without axes every dimension of 1 goes, but not a batch that is 1 only in the example.
        if axes == nil, !unsqueeze { axes = shape.indices.filter { shape[$0] == 1 && atBatchTwo[$0] == 1 }.map(Int64.init) }
        var target = try squeezing(shape, axes: axes, unsqueeze: unsqueeze, node, index)
        let targetAtBatchTwo = try squeezing(atBatchTwo, axes: axes, unsqueeze: unsqueeze, node, index)
        let following = target.indices.filter { target[$0] != targetAtBatchTwo[$0] }
        guard following.count <= 1 else { throw error(node, index: index, "the batch follows \(following.count) dimensions") }
        if let axis = following.first { target[axis] = -1 }
        let (value, outputShape) = try append(try Reshape(attributes: ["shape": .integers(target)]), [input], node: node, index: index)
        define(node, as: value, shape: outputShape)
    }

    /// `Expand` of an activation to a shape known at load time; a target dimension computed from
    /// the batch size becomes 1, which keeps the input's batch.
    private mutating func addExpand(_ node: ONNXNode, index: Int) throws {
        let (input, shape) = try activationInput(node, 0, index: index)
        guard var target = try constantInput(node, 1, index: index)?.integers.map({ try checkedDimension($0, node, index) }) else {
            throw error(node, index: index, "Expand needs its shape known when the model loads")
        }
        if let atBatchTwo = constantsAtBatchTwo[node.inputs[1]]?.integers, atBatchTwo.count == target.count {
            let inputAtBatchTwo = exampleShapeAtBatchTwo(of: input) ?? shape
            for axis in target.indices where Int64(target[axis]) != atBatchTwo[axis] {
                let inputAxis = axis - (target.count - shape.count)
                guard inputAxis >= 0, shape[inputAxis] == target[axis], inputAtBatchTwo[inputAxis] == Int(atBatchTwo[axis]) else {
                    throw error(node, index: index, "the shape follows the batch on an axis where the input does not")
                }
                target[axis] = 1
            }
        }
        let (value, outputShape) = try append(Expand(shape: target), [input], node: node, index: index)
        define(node, as: value, shape: outputShape)
    }

    /// `Split` of an activation, as one `Slice` per output.
    private mutating func addSplit(_ node: ONNXNode, index: Int) throws {
        let (input, shape) = try activationInput(node, 0, index: index)
        let axis = try normalizedAxis(node.integer("axis", default: 0) ?? 0, rank: shape.count, node, index)
        let atBatchTwo = exampleShapeAtBatchTwo(of: input) ?? shape
        guard atBatchTwo[axis] == shape[axis] else { throw error(node, index: index, "Split along the batch is not supported") }
        var start = 0
        for (output, size) in zip(node.outputs, try splitSizes(node, index: index, dimension: shape[axis])) {
            defer { start += size }
            guard !output.isEmpty else { continue }
            let (value, outputShape) = try append(Slice(starts: [start], ends: [start + size], axes: [axis]), [input], node: node, index: index)
            values[output] = .activation(value, shape: outputShape)
        }
    }

    private mutating func addPad(_ node: ONNXNode, index: Int) throws {
        guard case .activation(let input, let shape) = try value(node.inputs[0], of: node, index: index) else {
            throw error(node, index: index, "Pad needs input computed from the inputs")
        }
        guard (node.string("mode", default: "constant") ?? "?") == "constant" else { throw error(node, index: index, "only constant padding is supported") }
        let pads = try constantInput(node, 1, index: index)?.integers ?? node.integers("pads") ?? []
        let fill = try constantInput(node, 2, index: index)?.floats.first ?? (node.float("value", default: 0) ?? 0)
        guard pads.count == 2 * shape.count, pads.allSatisfy({ $0 >= 0 && $0 <= 1024 }), fill.isFinite else {
            throw error(node, index: index, "pads \(pads.abbreviated) are supported only as non-negative padding of each dimension")
        }
        let sides = pads.map { Int($0) }
        if shape.count == 4, fill == 0, sides[0] == 0, sides[1] == 0, sides[4] == 0, sides[5] == 0, (readers[node.outputs[0]] ?? 0) == 1,
           firstReader[node.outputs[0]]?.opType == "Conv" {
            // Only the convolution reads it: it pads by these amounts itself (top, left, bottom, right).
            pendingPads[node.outputs[0]] = (input, shape, [sides[2], sides[3], sides[6], sides[7]])
            define(node, as: input, shape: shape)
            return
        }
        let (value, outputShape) = try append(Pad(pads: sides, value: fill), [input], node: node, index: index)
        define(node, as: value, shape: outputShape)
    }
}

extension ONNXAttribute {
    /// The attribute as an operation attribute (nil for kinds operations never read).
    var operationValue: OperationAttributes.Value? {
        switch self {
        case .float(let value): value.isFinite ? .float(value) : nil
        case .integer(let value): .integer(Int(clamping: value))
        case .string(let value): .string(value)
        case .floats(let values): .floats(values)
        case .integers(let values): .integers(values.map { Int(clamping: $0) })
        case .tensor, .strings, .unsupported: nil
        }
    }
}
