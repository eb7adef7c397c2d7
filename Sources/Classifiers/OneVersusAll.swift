import LinearAlgebra
import NeuralNetworks

/// Multi-label classification: one binary logistic regression per label, each giving the
/// probability that its label applies (the probabilities of a row need not sum to 1).
public struct OneVersusAll: Classifier, Codable {
    /// One binary model per label (class 1 = the label applies).
    public let models: [LogisticRegression]

    /// One binary model per label.
    /// - Precondition: every model has two classes and the same features.
    public init(models: [LogisticRegression]) {
        precondition(models.allSatisfy { $0.classCount == 2 && $0.featureCount == models[0].featureCount },
                     "OneVersusAll: every model must be binary over the same features")
        self.models = models
    }

    /// The number of labels.
    public var classCount: Int { models.count }
    /// The length of an input feature vector.
    public var featureCount: Int { models.first?.featureCount ?? 0 }

    /// Trains one model per label on `features`, where `labelSets[i]` are the labels of row i.
    /// - Throws: `TrainingError` for bad data or divergence.
    public static func train(features: Matrix, labelSets: [[Int]], labelCount: Int,
                             configuration: LogisticRegression.Configuration = .init()) throws -> OneVersusAll {
        let models = try (0..<labelCount).map { label in
            let data = try TrainingSet(features: features, labels: labelSets.map { $0.contains(label) ? 1 : 0 }, classCount: 2)
            return try LogisticRegression.train(on: data, configuration: configuration)
        }
        return OneVersusAll(models: models)
    }

    /// `P(label k applies)` for each row of `features` (rows × labels).
    public func probabilities(for features: Matrix) -> Matrix {
        var result = Matrix(rows: features.rows, columns: models.count)
        for (label, model) in models.enumerated() {
            let binary = model.probabilities(for: features)
            for row in 0..<features.rows { result[row, label] = binary[row, 1] }
        }
        return result
    }
}
