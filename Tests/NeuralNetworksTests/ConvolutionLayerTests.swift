import Foundation
import LinearAlgebra
import NeuralNetworks
import Testing

/// One case of `Fixtures/layer_goldens.json` (written by PyTorch, `make_layer_goldens.py`).
struct LayerGolden: Decodable {
    let name: String, layer: String
    let input_shape: [Int], output_shape: [Int]
    let input: [Float], output: [Float], upstream: [Float], input_gradient: [Float]
    let parameters: [String: [Float]], parameter_gradients: [String: [Float]]
    let `in`: Int?, out: Int?, groups: Int?
    let kernel: FlexibleInts?, stride: FlexibleInts?, padding: FlexibleInts?, dilation: FlexibleInts?
    let count_include_pad: Bool?
    let running_mean_before: [Float]?, running_var_before: [Float]?, running_mean_after: [Float]?, running_var_after: [Float]?
    let inference_output: [Float]?

    /// An int or a pair of ints (PyTorch's `(rows, columns)`).
    struct FlexibleInts: Decodable {
        let values: [Int]
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let pair = try? container.decode([Int].self) { values = pair } else { values = [try container.decode(Int.self)] }
        }
        var first: Int { values[0] }
        var last: Int { values.last! }
    }

    static let all: [LayerGolden] = {
        let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("layer_goldens.json")
        struct File: Decodable { let cases: [LayerGolden] }
        return try! JSONDecoder().decode(File.self, from: Data(contentsOf: url)).cases
    }()

    static func named(_ name: String) -> LayerGolden { all.first { $0.name == name }! }

    func maps(_ values: [Float], _ shape: [Int]) -> FeatureMaps {
        FeatureMaps(values: Matrix(rows: shape[0], columns: shape.dropFirst().reduce(1, *), elements: values),
                    shape: MapShape(channels: shape[1], height: shape.count > 2 ? shape[2] : 1, width: shape.count > 3 ? shape[3] : 1))
    }
    var inputMaps: FeatureMaps { maps(input, input_shape) }
    var upstreamMaps: FeatureMaps { maps(upstream, output_shape) }

    var window: WindowGeometry {
        let padding = padding!
        return WindowGeometry(kernelHeight: kernel!.first, kernelWidth: kernel!.last, strideY: stride!.first, strideX: stride!.last,
                              dilationY: dilation?.first ?? 1, dilationX: dilation?.last ?? 1, padTop: padding.first,
                              padBottom: padding.first, padLeft: padding.last, padRight: padding.last)
    }

    func convolution(_ prefix: String = "") -> Convolution2D {
        let weights = parameters[prefix + "weight"]!, bias = parameters[prefix + "bias"]!
        return Convolution2D(weights: Matrix(rows: bias.count, columns: weights.count / bias.count, elements: weights), bias: bias,
                             inputChannels: `in`!, geometry: window, groups: groups!)
    }
}

/// Whether every value is within 1e-4 relative (1e-4 absolute for values below 1) of PyTorch's.
func matches(_ ours: [Float], _ theirs: [Float]) -> Bool {
    ours.count == theirs.count && zip(ours, theirs).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) }
}

func elements(_ maps: FeatureMaps?) -> [Float] { maps.map { $0.values.withUnsafeBufferPointer(Array.init) } ?? [] }
func elements(_ matrix: Matrix) -> [Float] { matrix.withUnsafeBufferPointer(Array.init) }

@Suite("ConvNet layers equal PyTorch's forward and backward (Fixtures/make_layer_goldens.py)")
struct ConvolutionLayerTests {
    @Test("Conv2D: padding, stride, groups, depthwise, dilation, 1×1, rectangular kernels",
          arguments: LayerGolden.all.filter { $0.layer == "conv" }.map(\.name))
    func convolution(name: String) throws {
        let golden = LayerGolden.named(name)
        let layer = golden.convolution()
        for threads in [1, 2, 3] {
            let parallelism = Parallelism(threadCount: threads)
            let output = layer.forward(golden.inputMaps, parallelism: parallelism)
            #expect(output.shape == golden.upstreamMaps.shape)
            #expect(matches(elements(output), golden.output), "\(name) forward, \(threads) threads")
            let (input, parameters) = layer.backward(golden.inputMaps, outputGradient: golden.upstreamMaps, inputGradient: true,
                                                     parallelism: parallelism)
            #expect(matches(elements(input), golden.input_gradient), "\(name) input gradient")
            #expect(matches(elements(parameters.weights), golden.parameter_gradients["weight"]!), "\(name) weight gradient")
            #expect(matches(parameters.bias, golden.parameter_gradients["bias"]!), "\(name) bias gradient")
        }
    }

    @Test("max and average pooling, with and without counting the padding",
          arguments: LayerGolden.all.filter { $0.layer.hasSuffix("pool") }.map(\.name))
    func pooling(name: String) {
        let golden = LayerGolden.named(name)
        let layer = Pooling2D(golden.layer == "maxpool" ? .max : .average,
                              geometry: WindowGeometry(kernel: golden.kernel!.first, stride: golden.stride!.first,
                                                       padding: golden.padding!.first),
                              countsPadding: golden.count_include_pad ?? true)
        #expect(matches(elements(layer.forward(golden.inputMaps)), golden.output), "\(name) forward")
        #expect(matches(elements(layer.backward(golden.inputMaps, outputGradient: golden.upstreamMaps)), golden.input_gradient),
                "\(name) backward")
    }

    @Test("batch normalisation: training output, gradients, running statistics, inference, and folding into a convolution")
    func batchNormalization() throws {
        let golden = LayerGolden.named("batch norm training")
        var layer = BatchNormalization(scale: golden.parameters["weight"]!, shift: golden.parameters["bias"]!,
                                       runningMean: golden.running_mean_before!, runningVariance: golden.running_var_before!)
        let (output, statistics) = layer.trainingForward(golden.inputMaps)
        #expect(matches(elements(output), golden.output))
        #expect(matches(layer.runningMean, golden.running_mean_after!) && matches(layer.runningVariance, golden.running_var_after!))
        let (input, parameters) = layer.backward(golden.inputMaps, statistics: statistics, outputGradient: golden.upstreamMaps)
        #expect(matches(elements(input), golden.input_gradient))
        #expect(matches(parameters.scale, golden.parameter_gradients["weight"]!) && matches(parameters.shift, golden.parameter_gradients["bias"]!))
        #expect(matches(elements(layer.forward(golden.inputMaps)), golden.inference_output!))
        // Folded after a convolution, one layer computes both.
        var generator = SplitMix64(seed: 3)
        let convolution = Convolution2D(inputChannels: 3, outputChannels: 3, geometry: WindowGeometry(kernel: 3, padding: 1), using: &generator)
        let separate = layer.forward(convolution.forward(golden.inputMaps))
        let folded = layer.folded(into: convolution).forward(golden.inputMaps)
        #expect(zip(elements(separate), elements(folded)).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) })
    }

    @Test("ReLU6 forward and backward")
    func relu6() throws {
        let golden = LayerGolden.named("relu6")
        let network = try SequentialNetwork(layers: [.relu6], inputShape: golden.inputMaps.shape)
        var copy = network
        var generator = SplitMix64(seed: 1)
        let (output, traces) = copy.trainingForward(golden.inputMaps, using: &generator)
        #expect(matches(elements(output), golden.output))
        #expect(matches(elements(network.backward(traces, outputGradient: golden.upstreamMaps, inputGradient: true).input),
                        golden.input_gradient))
    }

    /// The golden network: conv → batch norm → ReLU → max pool → conv → ReLU → average pool → flatten → dense.
    static func goldenNetwork(_ golden: LayerGolden) throws -> SequentialNetwork {
        let p = golden.parameters
        let first = Convolution2D(weights: Matrix(rows: 4, columns: 9, elements: p["0.weight"]!), bias: p["0.bias"]!, inputChannels: 1,
                                  geometry: WindowGeometry(kernel: 3, padding: 1))
        let second = Convolution2D(weights: Matrix(rows: 6, columns: 36, elements: p["4.weight"]!), bias: p["4.bias"]!, inputChannels: 4,
                                   geometry: WindowGeometry(kernel: 3))
        let normalization = BatchNormalization(scale: p["1.weight"]!, shift: p["1.bias"]!, runningMean: [0, 0, 0, 0], runningVariance: [1, 1, 1, 1])
        return try SequentialNetwork(layers: [
            .convolution(first), .batchNormalization(normalization), .relu, .pooling(Pooling2D(.max, geometry: WindowGeometry(kernel: 2, stride: 2))),
            .convolution(second), .relu, .pooling(Pooling2D(.average, geometry: WindowGeometry(kernel: 2, stride: 2))), .flatten,
            .dense(DenseLayer(weights: Matrix(rows: 5, columns: 24, elements: p["8.weight"]!), bias: p["8.bias"]!)),
        ], inputShape: MapShape(channels: 1, height: 12, width: 12))
    }

    @Test("a small ConvNet end to end: output, input gradient and every parameter gradient")
    func network() throws {
        let golden = LayerGolden.named("network")
        var network = try Self.goldenNetwork(golden)
        var generator = SplitMix64(seed: 1)
        let (output, traces) = network.trainingForward(golden.inputMaps, using: &generator)
        #expect(matches(elements(output), golden.output))
        let (gradients, input) = network.backward(traces, outputGradient: golden.upstreamMaps, inputGradient: true)
        #expect(matches(elements(input), golden.input_gradient))
        for (index, layer) in gradients.enumerated() where layer.hasParameters {
            var layer = layer
            let buffers = layer.withParameterBuffers { $0.map(Array.init) }
            #expect(matches(buffers[0], golden.parameter_gradients["\(index).weight"]!), "layer \(index) weights")
            #expect(matches(buffers[1], golden.parameter_gradients["\(index).bias"]!), "layer \(index) bias")
        }
        // Backward down to layer 4 leaves the layers below without gradients.
        let top = network.backward(traces, outputGradient: golden.upstreamMaps, downTo: 4)
        var belowTop = top.gradients[0]
        #expect(belowTop.withParameterBuffers { $0[0].allSatisfy { $0 == 0 } } && top.input == nil)
    }

    @Test("the same bytes for the same thread count, and within 1e-5 across thread counts")
    func determinism() throws {
        let golden = LayerGolden.named("conv 3x3 stride 2 pad 1 groups 2")
        let layer = golden.convolution()
        let run = { (threads: Int) in
            layer.backward(golden.inputMaps, outputGradient: golden.upstreamMaps, inputGradient: true,
                           parallelism: Parallelism(threadCount: threads)).parameters.weights
        }
        #expect(elements(run(2)) == elements(run(2)))
        #expect(zip(elements(run(1)), elements(run(2))).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) })
    }
}
