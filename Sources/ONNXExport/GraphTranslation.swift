import LinearAlgebra
import NeuralNetworks

/// Translates a `GraphNetwork` node by node into ONNX operators, tracking whether each value is a
/// 4-D map tensor or a 2-D feature matrix.
struct GraphTranslation {
    let network: GraphNetwork
    private(set) var builder = ONNXGraphBuilder()
    /// The ONNX name of each network value.
    private var names: [String] = []
    /// Whether each value is 2-D (N × features) rather than 4-D.
    private var isFlat: [Bool] = []

    /// A translation of `network`, whose input is the graph input `inputName` (2-D when `inputIsFlat`).
    init(network: GraphNetwork, inputName: String, inputIsFlat: Bool) {
        self.network = network
        names = [builder.uniqueName(inputName)]
        isFlat = [inputIsFlat]
    }

    /// Adds every node up to the network's output, then names the output `probabilities`
    /// (N × classes); returns that name.
    mutating func translate() -> String {
        for index in 0..<network.output {
            let node = network.nodes[index]
            var (name, flat) = operation(node.operation, inputs: node.inputs, outputShape: network.shapes[index + 1])
            if let clamp = node.clamp { name = clipped(name, to: clamp) }
            names.append(name)
            isFlat.append(flat)
        }
        let last = network.output
        return builder.node(isFlat[last] ? "Identity" : "Flatten", [names[last]], isFlat[last] ? [] : [("axis", .integer(1))],
                            output: builder.uniqueName("probabilities"))
    }

    private mutating func operation(_ operation: GraphOperation, inputs: [Int], outputShape: MapShape) -> (String, Bool) {
        let first = inputs[0]
        switch operation {
        case .layer(let layer):
            return self.layer(layer, input: first, outputShape: outputShape)
        case .clamp(let lower, let upper):
            return (clipped(names[first], to: lower...upper), isFlat[first])
        case .sigmoid:
            return (builder.node("Sigmoid", [names[first]]), isFlat[first])
        case .hardSigmoid(let alpha, let beta):
            return (builder.node("HardSigmoid", [names[first]], [("alpha", .float(alpha)), ("beta", .float(beta))]), isFlat[first])
        case .hardSwish:
            return (builder.node("HardSwish", [names[first]]), isFlat[first])
        case .add, .multiply, .concatenate:
            let flat = inputs.allSatisfy { isFlat[$0] }
            let operands = inputs.map { flat ? names[$0] : mapTensor($0) }
            switch operation {
            case .add: return (builder.node("Add", operands), flat)
            case .multiply: return (builder.node("Mul", operands), flat)
            default: return (builder.node("Concat", operands, [("axis", .integer(1))]), flat)
            }
        case .scaleShift(let scale, let shift):
            let dimensions = isFlat[first] ? [scale.count] : [scale.count, 1, 1]
            let scaled = builder.node("Mul", [names[first], builder.floats("scale", scale, dimensions: dimensions)])
            return (builder.node("Add", [scaled, builder.floats("shift", shift, dimensions: dimensions)]), isFlat[first])
        case .softmax:
            return (builder.node("Softmax", [flatTensor(first)], [("axis", .integer(1))]), true)
        case .pad(let top, let bottom, let left, let right, let value):
            let pads = builder.int64s("pads", [0, 0, top, left, 0, 0, bottom, right])
            let constant = builder.floats("pad_value", [value], dimensions: [])
            return (builder.node("Pad", [mapTensor(first), pads, constant], [("mode", .string("constant"))]), false)
        case .reshape(let shape):
            let target = builder.int64s("shape", [-1, shape.channels, shape.height, shape.width])
            return (builder.node("Reshape", [names[first], target]), false)
        }
    }

    private mutating func layer(_ layer: NetworkLayer, input: Int, outputShape: MapShape) -> (String, Bool) {
        switch layer {
        case .convolution(let convolution):
            let geometry = convolution.geometry
            let weights = builder.floats("conv_weights", ONNXGraphBuilder.elements(of: convolution.weights),
                                         dimensions: [convolution.outputChannels, convolution.inputChannels / convolution.groups,
                                                      geometry.kernelHeight, geometry.kernelWidth])
            let bias = builder.floats("conv_bias", convolution.bias, dimensions: [convolution.bias.count])
            return (builder.node("Conv", [mapTensor(input), weights, bias], windowAttributes(geometry) + [
                ("dilations", .integers([geometry.dilationY, geometry.dilationX])), ("group", .integer(convolution.groups)),
            ]), false)
        case .batchNormalization(let normalization):
            let count = normalization.channels
            let parameters = [normalization.scale, normalization.shift, normalization.runningMean, normalization.runningVariance]
                .enumerated().map { builder.floats(["bn_scale", "bn_bias", "bn_mean", "bn_variance"][$0.offset], $0.element, dimensions: [count]) }
            return (builder.node("BatchNormalization", [names[input]] + parameters, [("epsilon", .float(normalization.epsilon))]), isFlat[input])
        case .dense(let dense):
            let weights = builder.floats("weights", ONNXGraphBuilder.elements(of: dense.weights), dimensions: [dense.weights.rows, dense.weights.columns])
            let bias = builder.floats("bias", dense.bias, dimensions: [dense.bias.count])
            return (builder.node("Gemm", [flatTensor(input), weights, bias], [("transB", .integer(1))]), true)
        case .relu:
            return (builder.node("Relu", [names[input]]), isFlat[input])
        case .relu6:
            return (clipped(names[input], to: 0...6), isFlat[input])
        case .pooling(let pooling):
            var attributes = windowAttributes(pooling.geometry)
            switch pooling.kind {
            case .max:
                attributes.append(("dilations", .integers([pooling.geometry.dilationY, pooling.geometry.dilationX])))
                return (builder.node("MaxPool", [mapTensor(input)], attributes), false)
            case .average:
                attributes.append(("count_include_pad", .integer(pooling.countsPadding ? 1 : 0)))
                return (builder.node("AveragePool", [mapTensor(input)], attributes), false)
            }
        case .globalAveragePooling:
            return (builder.node("GlobalAveragePool", [mapTensor(input)]), false)
        case .flatten:
            return (flatTensor(input), true)
        case .dropout:
            return (names[input], isFlat[input])
        }
    }

    private func windowAttributes(_ geometry: WindowGeometry) -> [(String, ONNXGraphBuilder.Attribute)] {
        [("kernel_shape", .integers([geometry.kernelHeight, geometry.kernelWidth])),
         ("strides", .integers([geometry.strideY, geometry.strideX])),
         ("pads", .integers([geometry.padTop, geometry.padLeft, geometry.padBottom, geometry.padRight]))]
    }

    /// `value` clamped: `Relu` for 0…∞, otherwise `Clip` with its bounds as inputs.
    private mutating func clipped(_ value: String, to range: ClosedRange<Float>) -> String {
        if range == 0...Float.infinity { return builder.node("Relu", [value]) }
        let lower = builder.floats("clip_min", [range.lowerBound], dimensions: [])
        let upper = builder.floats("clip_max", [range.upperBound], dimensions: [])
        return builder.node("Clip", [value, lower, upper])
    }

    /// Value `index` as N × features (a `Flatten` when it is a map tensor).
    private mutating func flatTensor(_ index: Int) -> String {
        isFlat[index] ? names[index] : builder.node("Flatten", [names[index]], [("axis", .integer(1))])
    }

    /// Value `index` as N × C × H × W (a `Reshape` when it is a feature matrix).
    private mutating func mapTensor(_ index: Int) -> String {
        guard isFlat[index] else { return names[index] }
        let shape = network.shapes[index]
        return builder.node("Reshape", [names[index], builder.int64s("shape", [-1, shape.channels, shape.height, shape.width])])
    }
}
