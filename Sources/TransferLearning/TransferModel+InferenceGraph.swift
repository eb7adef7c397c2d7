import Classifiers
import ImageFeatures
import LinearAlgebra
import NeuralNetworks

/// A trained model as one graph network from its input to class probabilities — the form other
/// runtimes take (`ONNXExport` writes it as ONNX).
public struct InferenceGraph: Sendable {
    /// What the network reads.
    public enum Input: Sendable, Hashable {
        /// Images as pixel values 0…255 (channels × height × width, RGB order), already resized
        /// (shorter side to `shorterSide` when given) and centre-cropped to the input size; the
        /// model's normalisation is the graph's first node.
        case pixels(shorterSide: Int?)
        /// One pooled feature vector per text, as the model's featurizer or embedding bag computes
        /// it (the graph is the text model's head).
        case textFeatures(pooling: String)
    }

    /// Input to probabilities (the last node is a softmax, or a sigmoid for multi-label heads).
    public let network: Graph
    /// What `network` reads.
    public let input: Input
    /// The class names, by output index.
    public let labels: [String]
}

extension TransferModel {
    /// The model as one network from its input to class probabilities: for images the whole
    /// model with its pixel normalisation; for text models the head over the pooled vector
    /// (tokenizing and looking up vectors stay outside the graph).
    /// - Throws: `TransferError.notExportable` for a fastText model.
    public func inferenceGraph() throws -> InferenceGraph {
        try body.inferenceGraph(labels: labels)
    }
}
