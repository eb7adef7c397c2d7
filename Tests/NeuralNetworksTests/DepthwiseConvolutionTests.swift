import LinearAlgebra
import NeuralNetworks
import Testing

/// The vectorized depthwise path of `Convolution2D` against a naive loop over every output and tap.
@Suite struct DepthwiseConvolutionTests {
    /// The reference: bias + Σ filter · input over the taps inside the map, then the clamp.
    static func naive(_ layer: Convolution2D, _ input: FeatureMaps, clamp: ClosedRange<Float>) -> [Float] {
        let shape = layer.outputShape(for: input.shape)!, geometry = layer.geometry, source = elements(input)
        var output: [Float] = []
        for example in 0..<input.batch {
            for channel in 0..<shape.channels {
                for oy in 0..<shape.height {
                    for ox in 0..<shape.width {
                        var sum = layer.bias[channel]
                        for ky in 0..<geometry.kernelHeight {
                            for kx in 0..<geometry.kernelWidth {
                                let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                                let ix = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                                guard iy >= 0, iy < input.shape.height, ix >= 0, ix < input.shape.width else { continue }
                                sum += layer.weights[channel, ky * geometry.kernelWidth + kx]
                                    * source[((example * input.shape.channels + channel) * input.shape.height + iy) * input.shape.width + ix]
                            }
                        }
                        output.append(min(max(sum, clamp.lowerBound), clamp.upperBound))
                    }
                }
            }
        }
        return output
    }

    @Test("every map width 1…33 and every window: strides 1–3, dilations, asymmetric padding, 1×1 to 5×5", arguments: 1...33)
    func equalsTheNaiveLoop(width: Int) {
        var generator = SplitMix64(seed: UInt64(width))
        let windows = [
            WindowGeometry(kernel: 3, stride: 1, padding: 1),
            WindowGeometry(kernel: 3, stride: 2, padding: 1),
            WindowGeometry(kernelHeight: 5, kernelWidth: 5, strideY: 2, strideX: 2, padTop: 1, padBottom: 2, padLeft: 1, padRight: 2),
            WindowGeometry(kernelHeight: 3, kernelWidth: 2, strideY: 1, strideX: 3, dilationY: 2, dilationX: 2, padTop: 0, padBottom: 3,
                           padLeft: 2, padRight: 0),
            WindowGeometry(kernel: 1),
        ]
        for (index, window) in windows.enumerated() {
            let shape = MapShape(channels: 3, height: 1 + (width * 7 + index) % 9, width: width)
            let layer = Convolution2D(inputChannels: 3, outputChannels: 3, geometry: window, groups: 3, using: &generator)
            guard layer.outputShape(for: shape) != nil else { continue }
            let input = FeatureMaps(values: Matrix(rows: 2, columns: shape.count, initializer: .normal(standardDeviation: 1), using: &generator),
                                    shape: shape)
            for clamp in [-Float.infinity...Float.infinity, 0...6] {
                let expected = Self.naive(layer, input, clamp: clamp)
                for threads in [1, 2] {
                    let actual = elements(layer.forward(input, clampedTo: clamp, parallelism: Parallelism(threadCount: threads)))
                    #expect(actual.count == expected.count)
                    #expect(zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) },
                            "width \(width), window \(index), clamp \(clamp), \(threads) thread(s)")
                }
            }
        }
    }
}
