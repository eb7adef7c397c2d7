import Foundation
import ImageFeatures
import NeuralNetworks

/// What a model file's header records of a graph backbone (an imported ImageNet network) beside its tensors.
struct GraphBackboneDescription: Codable {
    var network: GraphRecord
    var preprocessing: ImagePreprocessing
    var classNames: [String]
    var featureValue: Int
    var precision: TensorPrecision

    /// The description of `backbone`, its tensors added to `tensors` in `precision`.
    init(_ backbone: GraphBackbone, precision: TensorPrecision, into tensors: inout [String: TensorContainer.Tensor]) {
        network = GraphRecord(backbone.network, prefix: "graph", precision: precision, into: &tensors)
        preprocessing = backbone.preprocessing
        classNames = backbone.classNames
        featureValue = backbone.featureValue
        self.precision = precision
    }

    /// The backbone, every part checked against the others.
    func backbone(tensors: [String: TensorContainer.Tensor], path: String) throws -> GraphBackbone {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: path, message: message) }
        let network = try network.network(tensors: tensors, prefix: "graph", path: path)
        try preprocessing.normalization.check(channels: network.inputShape.channels, path: path)
        if let side = preprocessing.shorterSide, !(side >= max(network.inputShape.height, network.inputShape.width) && side <= 16_384) {
            throw fail("header: the preprocessing's shorter side \(side) does not fit the input \(network.inputShape)")
        }
        guard classNames.count == network.outputShape.count, Set(classNames).count == classNames.count else {
            throw fail("header: \(classNames.count) distinct class names for \(network.outputShape.count) outputs")
        }
        guard (0...network.nodes.count).contains(featureValue) else { throw fail("header: feature value \(featureValue) is not a value") }
        return GraphBackbone(network: network, preprocessing: preprocessing, classNames: classNames, featureValue: featureValue)
    }
}
