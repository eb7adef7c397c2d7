import LinearAlgebra
import NeuralNetworks
import Testing

/// The vectorized depthwise path of `Convolution` against a naive loop over every output and tap.
@Suite struct DepthwiseConvolutionTests {
    /// The reference: bias + Σ filter · input over the taps inside the map, then the clamp.
    static func naive(_ geometry: WindowGeometry, filters: [Float], bias: [Float], input: Tensor, output shape: [Int], clamp: ClosedRange<Float>) -> [Float] {
        let source = input.scalars, (height, width) = (input.shape[2], input.shape[3])
        var output: [Float] = []
        for example in 0..<shape[0] {
            for channel in 0..<shape[1] {
                for oy in 0..<shape[2] {
                    for ox in 0..<shape[3] {
                        var sum = bias[channel]
                        for ky in 0..<geometry.kernelHeight {
                            for kx in 0..<geometry.kernelWidth {
                                let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                                let ix = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                sum += filters[channel * geometry.taps + ky * geometry.kernelWidth + kx]
                                    * source[((example * shape[1] + channel) * height + iy) * width + ix]
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
            let inputShape = [2, 3, 1 + (width * 7 + index) % 9, width]
            let filters = Tensor(Matrix(rows: 3, columns: window.taps, initializer: .normal(standardDeviation: 1), using: &generator))
                .reshaped([3, 1, window.kernelHeight, window.kernelWidth])
            let bias = Tensor(shape: [3], elements: [0.1, -0.2, 0.3])
            let input = Tensor(Matrix(rows: 2, columns: inputShape.dropFirst().reduce(1, *), initializer: .normal(standardDeviation: 1),
                                      using: &generator)).reshaped(inputShape)
            for clamp in [-Float.infinity...Float.infinity, 0...6] {
                let operation = Convolution(geometry: window, groups: 3, clamp: clamp)
                guard let shape = try? operation.outputShape(for: [input.shape, filters.shape, bias.shape], elementTypes: [.float32, .float32, .float32])
                else { continue }
                let expected = Self.naive(window, filters: filters.scalars, bias: bias.scalars, input: input, output: shape, clamp: clamp)
                for threads in [1, 2] {
                    var context = ForwardContext(mode: .inference, parallelism: Parallelism(threadCount: threads), generator: SplitMix64(seed: 0))
                    let actual = operation.forward([input, filters, bias], context: &context).scalars
                    #expect(actual.count == expected.count)
                    #expect(zip(actual, expected).allSatisfy { abs($0 - $1) <= 1e-5 * max(1, abs($1)) },
                            "width \(width), window \(index), clamp \(clamp), \(threads) thread(s)")
                }
            }
        }
    }
}
