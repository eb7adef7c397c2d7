import LinearAlgebra
import NeuralNetworks
import Testing

@Suite("ConvNet gradients agree with finite differences")
struct ConvolutionGradientTests {
    /// Σ weights · output of a training pass (dropout masks drawn from `seed`).
    static func loss(_ network: SequentialNetwork, _ input: FeatureMaps, weights: [Float], seed: UInt64) -> Double {
        var network = network, generator = SplitMix64(seed: seed)
        let output = network.trainingForward(input, using: &generator).output
        return zip(elements(output), weights).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Moves every parameter of `network` by `step · direction` (direction: one buffer list per layer).
    static func moved(_ network: SequentialNetwork, _ direction: [[[Float]]], step: Float) -> SequentialNetwork {
        var network = network
        for index in network.layers.indices {
            network.layers[index].withParameterBuffers { buffers in
                for (buffer, delta) in zip(buffers, direction[index]) {
                    for position in buffer.indices { buffer[position] += step * delta[position] }
                }
            }
        }
        return network
    }

    static func randomMaps(_ batch: Int, _ shape: MapShape, _ generator: inout SplitMix64) -> FeatureMaps {
        FeatureMaps(values: Matrix(rows: batch, columns: shape.count, initializer: .normal(standardDeviation: 1), using: &generator), shape: shape)
    }

    /// Checks the directional derivative along a random direction of the parameters, and along one of the input.
    static func check(_ network: SequentialNetwork, batch: Int) {
        var generator = SplitMix64(seed: 11)
        let input = randomMaps(batch, network.inputShape, &generator)
        let weights = elements(randomMaps(batch, network.outputShape, &generator))
        var copy = network, dropout = SplitMix64(seed: 5)
        let (_, traces) = copy.trainingForward(input, using: &dropout)
        let upstream = FeatureMaps(values: Matrix(rows: batch, columns: network.outputShape.count, elements: weights), shape: network.outputShape)
        var (gradients, inputGradient) = network.backward(traces, outputGradient: upstream, inputGradient: true)
        // A random unit direction over all parameters (small steps along it cross few ReLU kinks).
        var direction: [[[Float]]] = gradients.indices.map { index in
            gradients[index].withParameterBuffers { buffers in buffers.map { buffer in buffer.indices.map { _ in generator.nextNormal() } } }
        }
        let length = Float(direction.joined().joined().reduce(0.0) { $0 + Double($1 * $1) }.squareRoot())
        direction = direction.map { $0.map { $0.map { $0 / length } } }
        var predicted = 0.0
        for index in gradients.indices {
            let layerDirection = direction[index]
            predicted += gradients[index].withParameterBuffers { buffers in
                zip(buffers, layerDirection).reduce(0.0) { sum, pair in
                    sum + zip(pair.0, pair.1).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                }
            }
        }
        let epsilon: Float = 1e-3
        let measured = (loss(moved(network, direction, step: epsilon), input, weights: weights, seed: 5)
            - loss(moved(network, direction, step: -epsilon), input, weights: weights, seed: 5)) / Double(2 * epsilon)
        #expect(abs(measured - predicted) <= 2e-2 * max(1, abs(predicted)), "parameters: \(measured) vs \(predicted)")

        var inputDirection = randomMaps(batch, network.inputShape, &generator)
        let inputLength = Kernels.l2Norm(inputDirection.values.withUnsafeBufferPointer { $0 })
        inputDirection.values.withUnsafeMutableBufferPointer { Kernels.scale($0, by: 1 / inputLength) }
        let inputPredicted = zip(elements(inputGradient!), elements(inputDirection)).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let shifted = { (step: Float) in
            var values = input.values
            inputDirection.values.withUnsafeBufferPointer { delta in values.withUnsafeMutableBufferPointer { Kernels.axpy(step, delta, $0) } }
            return FeatureMaps(values: values, shape: input.shape)
        }
        let inputMeasured = (loss(network, shifted(epsilon), weights: weights, seed: 5)
            - loss(network, shifted(-epsilon), weights: weights, seed: 5)) / Double(2 * epsilon)
        #expect(abs(inputMeasured - inputPredicted) <= 2e-2 * max(1, abs(inputPredicted)), "input: \(inputMeasured) vs \(inputPredicted)")
    }

    @Test("conv, batch norm, ReLU, max pool, dropout, flatten, dense")
    func plainNetwork() throws {
        var generator = SplitMix64(seed: 2)
        let network = try SequentialNetwork(layers: [
            .convolution(Convolution2D(inputChannels: 2, outputChannels: 4, geometry: WindowGeometry(kernel: 3, padding: 1), using: &generator)),
            .batchNormalization(BatchNormalization(channels: 4)), .relu,
            .pooling(Pooling2D(.max, geometry: WindowGeometry(kernel: 2, stride: 2))), .dropout(rate: 0.25), .flatten,
            .dense(DenseLayer(weights: Matrix(rows: 3, columns: 4 * 4 * 4, initializer: .glorotUniform, using: &generator), bias: [0.1, 0, -0.1])),
        ], inputShape: MapShape(channels: 2, height: 8, width: 8))
        Self.check(network, batch: 3)
    }

    @Test("grouped and depthwise conv with stride and dilation, ReLU6, average pool, global average pool")
    func mobileStyleNetwork() throws {
        var generator = SplitMix64(seed: 3)
        let network = try SequentialNetwork(layers: [
            .convolution(Convolution2D(inputChannels: 2, outputChannels: 4, geometry: WindowGeometry(kernel: 3, stride: 2, padding: 1), using: &generator)),
            .relu6,
            .convolution(Convolution2D(inputChannels: 4, outputChannels: 4, geometry: WindowGeometry(kernel: 3, padding: 2, dilation: 2),
                                       groups: 4, using: &generator)),
            .batchNormalization(BatchNormalization(channels: 4)),
            .convolution(Convolution2D(inputChannels: 4, outputChannels: 6, geometry: WindowGeometry(kernel: 1), groups: 2, using: &generator)),
            .pooling(Pooling2D(.average, geometry: WindowGeometry(kernel: 3, stride: 1, padding: 1), countsPadding: false)),
            .globalAveragePooling,
        ], inputShape: MapShape(channels: 2, height: 9, width: 9))
        Self.check(network, batch: 2)
    }
}
