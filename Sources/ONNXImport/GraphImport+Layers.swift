import LinearAlgebra
import NeuralNetworks

extension GraphImport {
    /// Adds a node that computes on activations.
    mutating func addActivation(_ node: ONNXNode, index: Int) throws {
        func fail(_ message: String) -> ONNXError { error(node, index: index, message) }
        func activation(_ position: Int) throws -> (value: Int, rank: Int) {
            guard position < node.inputs.count, case .activation(let value, let rank) = try self.value(node.inputs[position], of: node, index: index)
            else { throw fail("input \(position + 1) should be computed from the image") }
            return (value, rank)
        }
        switch node.opType {
        case "Conv":
            try addConvolution(node, index: index)
        case "BatchNormalization":
            try addBatchNormalization(node, index: index)
        case "Relu":
            try addClamp(node, index: index, 0...Float.infinity)
        case "Clip":
            var lower = -Float.infinity, upper = Float.infinity
            if let minimum = try constantInput(node, 1, index: index) { lower = minimum.floats.first ?? lower }
            if let maximum = try constantInput(node, 2, index: index) { upper = maximum.floats.first ?? upper }
            if let minimum = node.attributes["min"], case .float(let value) = minimum { lower = value }
            if let maximum = node.attributes["max"], case .float(let value) = maximum { upper = value }
            guard lower <= upper else { throw fail("Clip's min \(lower) exceeds its max \(upper)") }
            try addClamp(node, index: index, lower...upper)
        case "Sigmoid", "HardSigmoid", "HardSwish", "Softmax":
            let (input, rank) = try activation(0)
            let operation: GraphOperation
            switch node.opType {
            case "Sigmoid": operation = .sigmoid
            case "HardSwish": operation = .hardSwish
            case "Softmax":
                let axis = node.integer("axis", default: -1) ?? -99
                guard rank == 2, axis == -1 || axis == 1 else { throw fail("Softmax is supported over the features of N × F values") }
                operation = .softmax
            default:
                guard let alpha = node.float("alpha", default: 0.2), let beta = node.float("beta", default: 0.5) else { throw fail("bad alpha or beta") }
                operation = .hardSigmoid(alpha: alpha, beta: beta)
            }
            define(node, as: try append(operation, inputs: [input], node: node, index: index), rank: rank)
        case "Add", "Sub", "Mul", "Div":
            try addArithmetic(node, index: index)
        case "GlobalAveragePool":
            let (input, rank) = try activation(0)
            guard rank == 4 else { throw fail("GlobalAveragePool needs N × C × H × W input") }
            define(node, as: try append(.layer(.globalAveragePooling), inputs: [input], node: node, index: index), rank: 4)
        case "MaxPool", "AveragePool":
            let (input, rank) = try activation(0)
            guard rank == 4 else { throw fail("\(node.opType) needs N × C × H × W input") }
            guard (node.integer("ceil_mode", default: 0) ?? 1) == 0 else { throw fail("ceil_mode 1 is not supported") }
            guard node.outputs.count == 1 || node.outputs[1].isEmpty else { throw fail("MaxPool's indices output is not supported") }
            let geometry = try windowGeometry(node, index: index, input: shapes[input], kernel: nil)
            let pooling = Pooling2D(node.opType == "MaxPool" ? .max : .average, geometry: geometry,
                                    countsPadding: (node.integer("count_include_pad", default: 0) ?? 0) != 0)
            define(node, as: try append(.layer(.pooling(pooling)), inputs: [input], node: node, index: index), rank: 4)
        case "Flatten":
            let (input, rank) = try activation(0)
            guard (node.integer("axis", default: 1) ?? 0) == 1 else { throw fail("Flatten is supported at axis 1 (keeping the batch)") }
            define(node, as: rank == 2 ? input : try append(.layer(.flatten), inputs: [input], node: node, index: index), rank: 2)
        case "Reshape":
            try addReshape(node, index: index)
        case "Gemm", "MatMul":
            try addDense(node, index: index)
        case "Concat":
            let parts = try node.inputs.indices.map { try activation($0) }
            guard let rank = parts.first?.rank, parts.allSatisfy({ $0.rank == rank }) else { throw fail("Concat of mixed ranks") }
            guard let axis = node.integer("axis", default: 1), axis == 1 || axis == -Int64(rank) + 1 || (rank == 2 && axis == -1) else {
                throw fail("Concat is supported along the channels (axis 1)")
            }
            define(node, as: try append(.concatenate, inputs: parts.map(\.value), node: node, index: index), rank: rank)
        case "Dropout", "Identity":
            let (input, rank) = try activation(0)
            define(node, as: input, rank: rank)
        case "Pad":
            try addPad(node, index: index)
        default:
            throw fail("operator \(node.opType) is not supported")
        }
    }

    /// Whether `value` is the last node's output and read by nothing else than the node about to use it.
    private func isFusable(_ value: Int, name: String) -> Bool {
        value == nodes.count && value > 0 && (readers[name] ?? 0) == 1
    }

    private mutating func addClamp(_ node: ONNXNode, index: Int, _ range: ClosedRange<Float>) throws {
        guard case .activation(let input, let rank) = try value(node.inputs[0], of: node, index: index) else {
            throw error(node, index: index, "input 1 should be computed from the image")
        }
        if isFusable(input, name: node.inputs[0]), nodes[input - 1].clamp == nil {
            nodes[input - 1].clamp = range
            define(node, as: input, rank: rank)
        } else {
            define(node, as: try append(.clamp(lower: range.lowerBound, upper: range.upperBound), inputs: [input], node: node, index: index), rank: rank)
        }
    }

    private mutating func addConvolution(_ node: ONNXNode, index: Int) throws {
        guard case .activation(var input, let rank) = try value(node.inputs[0], of: node, index: index), rank == 4 else {
            throw error(node, index: index, "Conv needs N × C × H × W input computed from the image")
        }
        guard let weights = try constantInput(node, 1, index: index), weights.dimensions.count == 4 else {
            throw error(node, index: index, "Conv weights must be a constant of 4 dimensions (2-D convolution)")
        }
        var extraPads = [0, 0, 0, 0]
        if let pending = pendingPads[node.inputs[0]] { (input, extraPads) = (pending.source, pending.pads) }
        let (outputs, groupInputs, kernelHeight, kernelWidth) = (weights.dimensions[0], weights.dimensions[1], weights.dimensions[2], weights.dimensions[3])
        guard let groups = node.integer("group", default: 1), groups >= 1, groups <= outputs, Int(groups) * groupInputs == shapes[input].channels,
              outputs % Int(groups) == 0 else {
            throw error(node, index: index, "weights \(weights.dimensions) do not fit \(shapes[input].channels) input channels in its groups")
        }
        if let kernel = node.integers("kernel_shape"), kernel != [Int64(kernelHeight), Int64(kernelWidth)] {
            throw error(node, index: index, "kernel_shape \(kernel.abbreviated) disagrees with the weights \(weights.dimensions)")
        }
        var geometry = try windowGeometry(node, index: index, input: shapes[input], kernel: (kernelHeight, kernelWidth))
        geometry.padTop += extraPads[0]
        geometry.padBottom += extraPads[1]
        geometry.padLeft += extraPads[2]
        geometry.padRight += extraPads[3]
        let bias = try constantInput(node, 2, index: index)?.floats ?? [Float](repeating: 0, count: outputs)
        guard bias.count == outputs else { throw error(node, index: index, "\(bias.count) biases for \(outputs) filters") }
        let layer = Convolution2D(weights: Matrix(rows: outputs, columns: groupInputs * kernelHeight * kernelWidth, elements: weights.floats),
                                  bias: bias, inputChannels: shapes[input].channels, geometry: geometry, groups: Int(groups))
        define(node, as: try append(.layer(.convolution(layer)), inputs: [input], node: node, index: index), rank: 4)
    }

    /// The window of a Conv or pooling node: kernel, strides, dilations and pads (explicit or `auto_pad`).
    private func windowGeometry(_ node: ONNXNode, index: Int, input: MapShape, kernel: (Int, Int)?) throws -> WindowGeometry {
        func fail(_ message: String) -> ONNXError { error(node, index: index, message) }
        let kernelShape = try kernel.map { [$0.0, $0.1] } ?? (node.integers("kernel_shape")?.map { try checkedDimension($0, node, index) } ?? [])
        guard kernelShape.count == 2, kernelShape.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else { throw fail("a 2-D kernel_shape is required") }
        let strides = node.integers("strides") ?? [1, 1], dilations = node.integers("dilations") ?? [1, 1]
        guard strides.count == 2, dilations.count == 2, (strides + dilations).allSatisfy({ $0 >= 1 && $0 <= 1024 }) else {
            throw fail("strides \(strides.abbreviated) and dilations \(dilations.abbreviated) must be two values from 1 to 1024")
        }
        var pads = node.integers("pads") ?? [0, 0, 0, 0]
        guard pads.count == 4, pads.allSatisfy({ $0 >= 0 && $0 <= 1024 }) else { throw fail("pads \(pads.abbreviated) must be four values from 0 to 1024") }
        let autoPad = node.string("auto_pad", default: "NOTSET") ?? "?"
        switch autoPad {
        case "NOTSET": break
        case "VALID": pads = [0, 0, 0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            for (axis, size) in [input.height, input.width].enumerated() {
                let output = (size + Int(strides[axis]) - 1) / Int(strides[axis])
                let span = Int(dilations[axis]) * (kernelShape[axis] - 1) + 1
                let total = max(0, (output - 1) * Int(strides[axis]) + span - size)
                let small = Int64(total / 2), large = Int64(total - total / 2)
                (pads[axis], pads[axis + 2]) = autoPad == "SAME_UPPER" ? (small, large) : (large, small)
            }
        default: throw fail("auto_pad '\(autoPad)' is not supported")
        }
        let geometry = WindowGeometry(kernelHeight: kernelShape[0], kernelWidth: kernelShape[1], strideY: Int(strides[0]), strideX: Int(strides[1]),
                                      dilationY: Int(dilations[0]), dilationX: Int(dilations[1]),
                                      padTop: Int(pads[0]), padBottom: Int(pads[2]), padLeft: Int(pads[1]), padRight: Int(pads[3]))
        return geometry
    }

    private mutating func addBatchNormalization(_ node: ONNXNode, index: Int) throws {
        guard case .activation(let input, let rank) = try value(node.inputs[0], of: node, index: index) else {
            throw error(node, index: index, "input 1 should be computed from the image")
        }
        let channels = shapes[input].channels
        let parameters = try (1...4).map { position -> [Float] in
            guard let tensor = try constantInput(node, position, index: index), tensor.count == channels else {
                throw error(node, index: index, "BatchNormalization input \(position + 1) must be \(channels) constants")
            }
            return tensor.floats
        }
        guard let epsilon = node.float("epsilon", default: 1e-5), epsilon >= 0 else { throw error(node, index: index, "bad epsilon") }
        let scale = (0..<channels).map { parameters[0][$0] / (parameters[3][$0] + epsilon).squareRoot() }
        let shift = (0..<channels).map { parameters[1][$0] - parameters[2][$0] * scale[$0] }
        if isFusable(input, name: node.inputs[0]), nodes[input - 1].clamp == nil, case .layer(.convolution(var convolution)) = nodes[input - 1].operation {
            let columns = convolution.weights.columns
            convolution.weights.withUnsafeMutableBufferPointer { weights in
                for channel in 0..<channels { for column in 0..<columns { weights[channel * columns + column] *= scale[channel] } }
            }
            for channel in 0..<channels { convolution.bias[channel] = convolution.bias[channel] * scale[channel] + shift[channel] }
            nodes[input - 1].operation = .layer(.convolution(convolution))
            define(node, as: input, rank: rank)
        } else {
            define(node, as: try append(.scaleShift(scale: scale, shift: shift), inputs: [input], node: node, index: index), rank: rank)
        }
    }

    private mutating func addArithmetic(_ node: ONNXNode, index: Int) throws {
        guard node.inputs.count == 2 else { throw error(node, index: index, "\(node.opType) takes two inputs") }
        let a = try value(node.inputs[0], of: node, index: index), b = try value(node.inputs[1], of: node, index: index)
        switch (a, b) {
        case (.activation(let x, let rankX), .activation(let y, let rankY)):
            guard rankX == rankY, node.opType == "Add" || node.opType == "Mul" else {
                throw error(node, index: index, "\(node.opType) of two computed values is supported for Add and Mul of equal rank")
            }
            define(node, as: try append(node.opType == "Add" ? .add : .multiply, inputs: [x, y], node: node, index: index), rank: rankX)
        case (.activation(let x, let rank), .constant(let constant)), (.constant(let constant), .activation(let x, let rank)):
            let constantFirst: Bool = if case .constant = a { true } else { false }
            let channels = shapes[x].channels
            let perChannel = try broadcastValues(constant, channels: channels, rank: rank, node, index)
            let ones = [Float](repeating: 1, count: perChannel.count), zeros = [Float](repeating: 0, count: perChannel.count)
            let operation: GraphOperation
            switch (node.opType, constantFirst) {
            case ("Add", _): operation = .scaleShift(scale: ones, shift: perChannel)
            case ("Mul", _): operation = .scaleShift(scale: perChannel, shift: zeros)
            case ("Sub", false): operation = .scaleShift(scale: ones, shift: perChannel.map { -$0 })
            case ("Sub", true): operation = .scaleShift(scale: ones.map { -$0 }, shift: perChannel)
            case ("Div", false): operation = .scaleShift(scale: perChannel.map { 1 / $0 }, shift: zeros)
            default: throw error(node, index: index, "dividing a constant by a computed value is not supported")
            }
            define(node, as: try append(operation, inputs: [x], node: node, index: index), rank: rank)
        default:
            throw error(node, index: index, "internal: constant inputs should have been evaluated")
        }
    }

    /// A constant operand as one value or one per channel (NumPy broadcasting against N × C × H × W or N × F).
    private func broadcastValues(_ constant: ConstantTensor, channels: Int, rank: Int, _ node: ONNXNode, _ index: Int) throws -> [Float] {
        if constant.count == 1 { return constant.floats }
        var dimensions = constant.dimensions
        while dimensions.first == 1 && dimensions.count > rank - 1 { dimensions.removeFirst() }
        let perChannel = rank == 4 ? (dimensions == [channels, 1, 1]) : (dimensions == [channels])
        guard perChannel, constant.count == channels else {
            throw error(node, index: index, "a constant of shape \(constant.dimensions) broadcasts in a way that is not supported (one value or one per channel)")
        }
        return constant.floats
    }

    private mutating func addReshape(_ node: ONNXNode, index: Int) throws {
        guard case .activation(let input, let rank) = try value(node.inputs[0], of: node, index: index) else {
            throw error(node, index: index, "input 1 should be computed from the image")
        }
        guard let target = try constantInput(node, 1, index: index)?.integers, let batch = target.first else {
            throw error(node, index: index, "Reshape needs a known target shape")
        }
        // The batch is the first dimension; a graph traced at batch 1 may have folded it to 1.
        guard batch == 0 || batch == 1 || (batch == -1 && !target.dropFirst().contains(-1)) else {
            throw error(node, index: index, "Reshape to \(target) would change the batch dimension")
        }
        let shape = shapes[input]
        let perExample = rank == 4 ? [shape.channels, shape.height, shape.width] : [shape.count]
        var rest = Array(target.dropFirst())
        for (axis, value) in rest.enumerated() where value == 0 {
            guard axis + 1 < perExample.count + 1 else { throw error(node, index: index, "Reshape copies a dimension the input lacks") }
            rest[axis] = Int64(([1] + perExample)[axis + 1])
        }
        let dimensions = try reshapeTarget(rest.isEmpty ? [] : rest, of: perExample, allowZero: true, node, index)
        let newShape: MapShape
        switch dimensions.count {
        case 1: newShape = MapShape(features: dimensions[0])
        case 3 where dimensions.allSatisfy({ $0 > 0 }): newShape = MapShape(channels: dimensions[0], height: dimensions[1], width: dimensions[2])
        default: throw error(node, index: index, "Reshape to \(target) is supported only to N × F or N × C × H × W")
        }
        let value = newShape == shape ? input : try append(.reshape(newShape), inputs: [input], node: node, index: index)
        define(node, as: value, rank: dimensions.count + 1)
    }

    private mutating func addDense(_ node: ONNXNode, index: Int) throws {
        guard case .activation(let input, let rank) = try value(node.inputs[0], of: node, index: index), rank == 2 else {
            throw error(node, index: index, "\(node.opType) needs N × F input computed from the image (flatten first)")
        }
        guard let b = try constantInput(node, 1, index: index), b.dimensions.count == 2 else {
            throw error(node, index: index, "\(node.opType)'s second input must be a constant matrix")
        }
        let isGemm = node.opType == "Gemm"
        guard !isGemm || (node.integer("transA", default: 0) ?? 1) == 0 else { throw error(node, index: index, "transA is not supported") }
        let transposed = isGemm && (node.integer("transB", default: 0) ?? 0) != 0
        let alpha = isGemm ? (node.float("alpha", default: 1) ?? 1) : 1, beta = isGemm ? (node.float("beta", default: 1) ?? 1) : 1
        let (outputs, inputs) = transposed ? (b.dimensions[0], b.dimensions[1]) : (b.dimensions[1], b.dimensions[0])
        guard inputs == shapes[input].count else {
            throw error(node, index: index, "a matrix of \(b.dimensions) cannot take \(shapes[input].count) features")
        }
        let values = b.floats
        var weights = Matrix(rows: outputs, columns: inputs)
        weights.withUnsafeMutableBufferPointer { target in
            for row in 0..<outputs {
                for column in 0..<inputs { target[row * inputs + column] = alpha * (transposed ? values[row * inputs + column] : values[column * outputs + row]) }
            }
        }
        var bias = [Float](repeating: 0, count: outputs)
        if let c = try constantInput(node, 2, index: index) {
            guard c.count == 1 || c.count == outputs else { throw error(node, index: index, "bias of \(c.count) values for \(outputs) outputs") }
            bias = c.count == 1 ? [Float](repeating: beta * c.floats[0], count: outputs) : c.floats.map { beta * $0 }
        }
        define(node, as: try append(.layer(.dense(DenseLayer(weights: weights, bias: bias))), inputs: [input], node: node, index: index), rank: 2)
    }

    private mutating func addPad(_ node: ONNXNode, index: Int) throws {
        guard case .activation(let input, let rank) = try value(node.inputs[0], of: node, index: index), rank == 4 else {
            throw error(node, index: index, "Pad needs N × C × H × W input computed from the image")
        }
        guard (node.string("mode", default: "constant") ?? "?") == "constant" else { throw error(node, index: index, "only constant padding is supported") }
        let pads = try constantInput(node, 1, index: index)?.integers ?? node.integers("pads") ?? []
        let fill = try constantInput(node, 2, index: index)?.floats.first ?? (node.float("value", default: 0) ?? 0)
        guard pads.count == 8, pads[0] == 0, pads[1] == 0, pads[4] == 0, pads[5] == 0, pads.allSatisfy({ $0 >= 0 && $0 <= 1024 }) else {
            throw error(node, index: index, "pads \(pads.abbreviated) are supported only as non-negative padding of height and width")
        }
        let sides = [Int(pads[2]), Int(pads[6]), Int(pads[3]), Int(pads[7])]  // top, bottom, left, right
        if fill == 0, (readers[node.outputs[0]] ?? 0) == 1, firstReader[node.outputs[0]]?.opType == "Conv" {
            pendingPads[node.outputs[0]] = (input, sides)
            define(node, as: input, rank: 4)  // only the convolution reads it, through pendingPads
        } else {
            let operation = GraphOperation.pad(top: sides[0], bottom: sides[1], left: sides[2], right: sides[3], value: fill)
            define(node, as: try append(operation, inputs: [input], node: node, index: index), rank: 4)
        }
    }
}
