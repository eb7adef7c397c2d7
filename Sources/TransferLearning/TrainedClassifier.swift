import Classifiers
import LinearAlgebra

/// The trained head of a model, one case per classifier kind (stored in model files).
public enum TrainedClassifier: Sendable, Codable {
    /// Logistic regression.
    case logisticRegression(LogisticRegression)
    /// A multilayer perceptron.
    case multilayerPerceptron(MultilayerPerceptron)
    /// One binary logistic regression per label, for multi-label data.
    case oneVersusAll(OneVersusAll)

    /// The classifier behind the case.
    public var classifier: any Classifier {
        switch self {
        case .logisticRegression(let model): model
        case .multilayerPerceptron(let model): model
        case .oneVersusAll(let model): model
        }
    }
}

extension TrainedClassifier {
    /// Whether every layer's shape is consistent and the classifier maps `featureCount` features
    /// to `classCount` classes (a decoded file is checked before use).
    func hasShape(featureCount: Int, classCount: Int) -> Bool {
        switch self {
        case .logisticRegression(let model):
            return model.bias.count == model.weights.rows && model.featureCount == featureCount && model.classCount == classCount
        case .multilayerPerceptron(let model):
            let layers = model.layers
            guard !layers.isEmpty, layers.allSatisfy({ $0.weights.rows == $0.bias.count }),
                  zip(layers, layers.dropFirst()).allSatisfy({ $0.weights.rows == $1.weights.columns }) else { return false }
            return layers[0].weights.columns == featureCount && layers[layers.count - 1].weights.rows == classCount
        case .oneVersusAll(let model):
            return model.models.count == classCount
                && model.models.allSatisfy { $0.bias.count == $0.weights.rows && $0.classCount == 2 && $0.featureCount == featureCount }
        }
    }
}
