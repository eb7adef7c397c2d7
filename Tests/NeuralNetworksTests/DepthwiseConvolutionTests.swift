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

    /// Strides 1–3, a dilated window and asymmetric padding: the windows both passes are checked on.
    static let awkwardWindows = [
        WindowGeometry(kernel: 3, stride: 1, padding: 1),
        WindowGeometry(kernel: 3, stride: 2, padding: 1),
        WindowGeometry(kernelHeight: 5, kernelWidth: 5, strideY: 2, strideX: 2, padTop: 1, padBottom: 2, padLeft: 1, padRight: 2),
        WindowGeometry(kernelHeight: 3, kernelWidth: 2, strideY: 1, strideX: 3, dilationY: 2, dilationX: 2, padTop: 0, padBottom: 3,
                       padLeft: 2, padRight: 0),
    ]

    @Test("every map width 1…33 and every window: strides 1–3, dilations, asymmetric padding, 1×1 to 5×5", arguments: 1...33)
    func equalsTheNaiveLoop(width: Int) {
        var generator = SplitMix64(seed: UInt64(width))
        let windows = Self.awkwardWindows + [WindowGeometry(kernel: 1)]
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
    /// The reference backward pass: every output's gradient spread over the taps that made it.
    static func naiveBackward(_ geometry: WindowGeometry, filters: [Float], input: Tensor, upstream: Tensor)
        -> (input: [Float], filters: [Float], bias: [Float]) {
        let source = input.scalars, gradient = upstream.scalars, shape = upstream.shape
        let (channels, height, width) = (input.shape[1], input.shape[2], input.shape[3])
        var dx = [Float](repeating: 0, count: source.count), dw = [Float](repeating: 0, count: filters.count)
        var db = [Float](repeating: 0, count: channels)
        for example in 0..<shape[0] {
            for channel in 0..<channels {
                for oy in 0..<shape[2] {
                    for ox in 0..<shape[3] {
                        let g = gradient[((example * channels + channel) * shape[2] + oy) * shape[3] + ox]
                        db[channel] += g
                        for ky in 0..<geometry.kernelHeight {
                            for kx in 0..<geometry.kernelWidth {
                                let iy = oy * geometry.strideY - geometry.padTop + ky * geometry.dilationY
                                let ix = ox * geometry.strideX - geometry.padLeft + kx * geometry.dilationX
                                guard iy >= 0, iy < height, ix >= 0, ix < width else { continue }
                                let tap = channel * geometry.taps + ky * geometry.kernelWidth + kx
                                let position = ((example * channels + channel) * height + iy) * width + ix
                                dw[tap] += g * source[position]
                                dx[position] += g * filters[tap]
                            }
                        }
                    }
                }
            }
        }
        return (dx, dw, db)
    }

    @Test("the backward pass — input, filter and bias gradients — equals the naive loop for every window", arguments: [1, 2, 5, 7, 14, 17])
    func backwardEqualsTheNaiveLoop(width: Int) throws {
        var generator = SplitMix64(seed: UInt64(100 + width))
        let windows = Self.awkwardWindows + [
            WindowGeometry(kernelHeight: 2, kernelWidth: 3, strideY: 3, strideX: 2, padTop: 0, padBottom: 0, padLeft: 0, padRight: 0),
        ]
        for (index, window) in windows.enumerated() {
            let inputShape = [2, 3, 1 + (width * 5 + index) % 11, width]
            let input = Tensor(Matrix(rows: 2, columns: inputShape.dropFirst().reduce(1, *), initializer: .normal(standardDeviation: 1),
                                      using: &generator)).reshaped(inputShape)
            let filters = Tensor(Matrix(rows: 3, columns: window.taps, initializer: .normal(standardDeviation: 1), using: &generator))
                .reshaped([3, 1, window.kernelHeight, window.kernelWidth])
            let operation = Convolution(geometry: window, groups: 3)
            let values = [input, filters, Tensor(zeros: [3])]
            guard let shape = try? operation.outputShape(for: values.map(\.shape), elementTypes: [.float32, .float32, .float32]) else { continue }
            let parameters = values.enumerated().map { Graph.Parameter(name: "p\($0)", value: $1, kind: .weight) }
            let graph = try Graph(inputs: [], parameters: parameters, nodes: [Graph.Node(operation, inputs: [.parameter(0), .parameter(1), .parameter(2)],
                                                                                        name: "depthwise")], outputs: [.node(0)])
            let upstream = Tensor(Matrix(rows: 1, columns: shape.reduce(1, *), initializer: .normal(standardDeviation: 1), using: &generator))
                .reshaped(shape)
            let expected = Self.naiveBackward(window, filters: filters.scalars, input: input, upstream: upstream)
            for threads in [1, 2] {
                let pass = try graph.trainingPass([], scope: TrainingScope(), seed: 1, parallelism: Parallelism(threadCount: threads))
                let gradients = graph.backward(pass, outputGradients: [upstream])
                for (position, reference) in [expected.input, expected.filters, expected.bias].enumerated() {
                    let actual = gradients[position]?.scalars ?? []
                    #expect(actual.count == reference.count && zip(actual, reference).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($1)) },
                            "width \(width), window \(index), gradient \(position), \(threads) thread(s)")
                }
            }
        }
    }
}
