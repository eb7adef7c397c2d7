import ImageFeatures
import LinearAlgebra
import NeuralNetworks

extension ImageNetwork: TransferBody {
    /// `images`.
    public var inputs: String { "images" }

    /// The whole network from pixels 0…255 (its normalisation the graph's first nodes) to class
    /// probabilities.
    public func inferenceGraph(labels: [String]) throws -> InferenceGraph {
        let shape = inputShape
        var builder = GraphBuilder(inputs: [Graph.Input(name: "pixels", shape: [nil, shape.channels, shape.height, shape.width])])
        // Pixels 0…255 → the network's inputs: pixel / (255 · deviation) − mean / deviation per channel.
        let normalization = preprocessing.normalization
        let scale = builder.parameter("normalize.scale", Tensor(shape: [shape.channels, 1, 1], elements: normalization.deviation.map { 1 / (255 * $0) }),
                                      kind: .constant)
        let shift = builder.parameter("normalize.shift", Tensor(shape: [shape.channels, 1, 1],
                                                                elements: zip(normalization.mean, normalization.deviation).map { -$0 / $1 }), kind: .constant)
        let scaled = builder.node(Mul(), [.input(0), scale], name: "normalize.scale")
        let normalized = builder.node(Add(), [scaled, shift], name: "normalize.shift")
        var output = builder.append(graph, inputs: [normalized])[0]
        if !outputsProbabilities { output = builder.node(Softmax(axis: -1), [output], name: "probabilities") }
        return InferenceGraph(network: try builder.graph(outputs: [output]), input: .pixels(shorterSide: preprocessing.shorterSide), labels: labels)
    }

    public func record(into file: inout ModelFileContents, storage: TransferModel.EmbeddingStorage, precision: TensorPrecision) throws {
        file.description.image = ImageNetworkDescription(self, precision: precision, into: &file.tensors)
    }
}
