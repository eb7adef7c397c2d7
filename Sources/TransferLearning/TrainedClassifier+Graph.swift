import Classifiers
import LinearAlgebra
import NeuralNetworks

extension TrainedClassifier {
    /// Adds the classifier to `builder` as graph nodes reading the N × features `value`: dense
    /// layers (ReLU between) and a softmax, or for one-versus-all one dense layer of per-label
    /// log-odds and a sigmoid. Returns the probabilities' value.
    func appendNodes(to builder: inout GraphBuilder, reading value: Graph.Value, prefix: String = "classifier") -> Graph.Value {
        switch self {
        case .logisticRegression(let model):
            let scores = builder.dense(value, weights: Tensor(model.weights), bias: Tensor(shape: [model.bias.count], elements: model.bias), name: prefix)
            return builder.node(Softmax(axis: -1), [scores], name: "probabilities")
        case .multilayerPerceptron(let model):
            var current = value
            for (index, layer) in model.layers.enumerated() {
                current = builder.dense(current, weights: Tensor(layer.weights), bias: Tensor(shape: [layer.bias.count], elements: layer.bias),
                                        name: "\(prefix).dense\(index + 1)")
                if index < model.layers.count - 1 { current = builder.node(Relu(), [current], name: "\(prefix).relu\(index + 1)") }
            }
            return builder.node(Softmax(axis: -1), [current], name: "probabilities")
        case .oneVersusAll(let model):
            // P(label) = softmax(z₀, z₁)₁ = sigmoid(z₁ − z₀): one row of weight differences per label.
            let width = model.featureCount
            var weights = Matrix(rows: model.classCount, columns: width)
            var bias = [Float](repeating: 0, count: model.classCount)
            for (label, binary) in model.models.enumerated() {
                for column in 0..<width { weights[label, column] = binary.weights[1, column] - binary.weights[0, column] }
                bias[label] = binary.bias[1] - binary.bias[0]
            }
            let odds = builder.dense(value, weights: Tensor(weights), bias: Tensor(shape: [bias.count], elements: bias), name: "\(prefix).log_odds")
            return builder.node(Sigmoid(), [odds], name: "probabilities")
        }
    }
}
