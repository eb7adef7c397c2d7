import Classifiers

/// How a pre-trained representation is reused for a new task.
///
/// This release implements the fixed-features strategy; the others (using a pre-trained model
/// directly, fine-tuning, combining a frozen part with a new head) arrive with their own work.
public enum TransferStrategy: String, Sendable, Hashable, Codable, CaseIterable {
    /// Features from the frozen embeddings, computed once and fed to a new classifier.
    case fixedFeatures = "fixed-features"
}

/// The classifier trained on top of the features.
public enum ClassifierHead: Sendable {
    /// Multinomial logistic regression (L-BFGS).
    case logisticRegression(LogisticRegressionSettings = LogisticRegressionSettings())
    /// A ReLU network trained with Adam.
    case multilayerPerceptron(MultilayerPerceptronSettings = MultilayerPerceptronSettings())
}

/// Logistic-regression settings, as `Classifiers` defines them.
public typealias LogisticRegressionSettings = LogisticRegression.Configuration
/// Network settings, as `Classifiers` defines them.
public typealias MultilayerPerceptronSettings = MultilayerPerceptron.Configuration
