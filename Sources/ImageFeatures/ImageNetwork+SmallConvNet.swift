import LinearAlgebra
import NeuralNetworks

extension ImageNetwork {
    /// The project's small ConvNet, untrained: two blocks of 3 × 3 convolution (32, then 64
    /// filters), batch normalisation, ReLU and 2 × 2 max pooling; then flatten, dropout, a dense
    /// layer of 128 with ReLU and dropout, and the class scores. Features default to the
    /// flattened last conv block, measured to transfer better than the dense layer.
    /// - Parameters:
    ///   - inputShape: channels × height × width of the images (height and width at least 4).
    ///   - classNames: the classes of its output layer.
    ///   - normalization: the pixel statistics (usually measured on the training images).
    ///   - dropout: the rate of the two dropout layers.
    ///   - seed: seeds the initial weights (He-normal filters, Glorot dense layers as PyTorch's defaults differ only in scale).
    /// - Throws: `GraphError` for images too small for two poolings.
    public static func smallConvNet(inputShape: MapShape, classNames: [String], normalization: PixelNormalization,
                                    dropout: Float = 0.25, seed: UInt64) throws -> ImageNetwork {
        var generator = SplitMix64(seed: seed)
        var builder = GraphBuilder(inputs: [Graph.Input(name: "image", shape: [nil, inputShape.channels, inputShape.height, inputShape.width])])
        var value = Graph.Value.input(0), channels = inputShape.channels
        for (block, filters) in [32, 64].enumerated() {
            let name = "block\(block + 1)"
            let weights = Matrix(rows: filters, columns: channels * 9, initializer: .heNormal, using: &generator)
            let w = builder.parameter("\(name).conv.weight", Tensor(weights).reshaped([filters, channels, 3, 3]))
            let b = builder.parameter("\(name).conv.bias", Tensor(zeros: [filters]))
            value = builder.node(Convolution(geometry: WindowGeometry(kernel: 3, padding: 1)), [value, w, b], name: "\(name).conv")
            let scale = builder.parameter("\(name).bn.weight", Tensor(repeating: 1, shape: [filters]))
            let shift = builder.parameter("\(name).bn.bias", Tensor(zeros: [filters]))
            let mean = builder.parameter("\(name).bn.running_mean", Tensor(zeros: [filters]), kind: .statistic)
            let variance = builder.parameter("\(name).bn.running_var", Tensor(repeating: 1, shape: [filters]), kind: .statistic)
            value = builder.node(BatchNormalization(), [value, scale, shift, mean, variance], name: "\(name).bn")
            value = builder.node(Relu(), [value], name: "\(name).relu")
            value = builder.node(MaxPool(geometry: WindowGeometry(kernel: 2, stride: 2)), [value], name: "\(name).pool")
            channels = filters
        }
        let features = builder.node(Flatten(), [value], name: "flatten")
        value = builder.node(Dropout(ratio: dropout), [features], name: "dropout1")
        let flattened = 64 * (inputShape.height / 4) * (inputShape.width / 4)
        value = builder.dense(value, inputs: flattened, outputs: 128, initializer: .heNormal, name: "dense1", using: &generator)
        value = builder.node(Relu(), [value], name: "relu")
        value = builder.node(Dropout(ratio: dropout), [value], name: "dropout2")
        value = builder.dense(value, inputs: 128, outputs: classNames.count, initializer: .heNormal, name: "dense2", using: &generator)
        return try ImageNetwork(graph: try builder.graph(outputs: [value]), preprocessing: ImagePreprocessing(shorterSide: nil, normalization: normalization),
                                classNames: classNames, featureValue: features)
    }
}
