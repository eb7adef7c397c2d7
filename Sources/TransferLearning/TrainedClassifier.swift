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
