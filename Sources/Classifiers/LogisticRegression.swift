import Foundation
import LinearAlgebra
import NeuralNetworks

/// Multinomial logistic regression with L2 regularisation, trained by L-BFGS on the full batch.
///
/// It minimises the same objective as scikit-learn's `LogisticRegression(C=…, solver="lbfgs")`:
/// the (class-weighted) mean cross-entropy plus `‖W‖² / (2·C·n)`, the intercept unpenalised, so
/// both reach the same optimum.
public struct LogisticRegression: Classifier, Codable {
    /// Training settings.
    public struct Configuration: Sendable, Hashable, Codable {
        /// Inverse regularisation strength (scikit-learn's `C`); larger means weaker.
        public var inverseRegularization: Float = 1
        /// How classes are weighted in the loss.
        public var classWeighting: ClassWeighting = .uniform
        /// The most L-BFGS iterations.
        public var maxIterations = 500
        /// Stop when the largest gradient component falls below this (scikit-learn's `tol`).
        public var tolerance: Float = 1e-4
        /// With validation data: stop after this many iterations without a better validation loss.
        public var patience = 10

        /// The defaults: C = 1, uniform classes, 500 iterations, tolerance 1e-4, patience 10.
        public init() {}
    }

    /// One row of weights per class (classes × features).
    public private(set) var weights: Matrix
    /// One intercept per class.
    public private(set) var bias: [Float]
    /// The settings it was trained with.
    public let configuration: Configuration

    /// A model with these weights (classes × features) and intercepts, e.g. coefficients trained elsewhere.
    /// - Precondition: one intercept per weight row.
    public init(weights: Matrix, bias: [Float], configuration: Configuration = Configuration()) {
        precondition(weights.rows == bias.count, "LogisticRegression: \(bias.count) intercepts for \(weights.rows) classes")
        self.weights = weights
        self.bias = bias
        self.configuration = configuration
    }

    /// The number of classes.
    public var classCount: Int { weights.rows }
    /// The length of an input feature vector.
    public var featureCount: Int { weights.columns }

    /// Trains on `data`, stopping early when `validation` stops improving.
    /// - Throws: `TrainingError.diverged` when the loss is not finite.
    /// - Complexity: O(iterations × examples × features × classes).
    public static func train(on data: TrainingSet, validation: TrainingSet? = nil,
                             configuration: Configuration = Configuration(), progress: TrainingProgress? = nil) throws -> LogisticRegression {
        var model = LogisticRegression(weights: Matrix(rows: data.classCount, columns: data.features.columns),
                                       bias: [Float](repeating: 0, count: data.classCount), configuration: configuration)
        try model.partialFit(on: data, validation: validation, iterations: configuration.maxIterations, progress: progress)
        return model
    }

    /// Continues training from the current weights on `data` (incremental training) for at most
    /// `iterations` L-BFGS steps.
    /// - Precondition: `data` has this model's feature and class counts.
    public mutating func partialFit(on data: TrainingSet, validation: TrainingSet? = nil, iterations: Int,
                                    progress: TrainingProgress? = nil) throws {
        precondition(data.features.columns == featureCount && data.classCount == classCount,
                     "partialFit: data of \(data.features.columns) features and \(data.classCount) classes")
        let objective = LogisticObjective(data: data, configuration: configuration)
        let (classes, features) = (classCount, featureCount)
        var best = (loss: Double.infinity, parameters: parameters)
        var sinceBest = 0
        let result = try LBFGS.minimize(start: parameters, iterations: iterations, tolerance: Double(configuration.tolerance),
                                        objective: objective.lossAndGradient) { step, parameters, loss in
            guard let validation else {
                progress?(step, loss, nil)
                return true
            }
            var candidate = LogisticRegression(weights: Matrix(rows: classes, columns: features), bias: [Float](repeating: 0, count: classes),
                                               configuration: configuration)
            candidate.setParameters(parameters)
            let (validationLoss, accuracy) = candidate.lossAndAccuracy(on: validation)
            progress?(step, loss, accuracy)
            if validationLoss < best.loss - 1e-7 {
                best = (validationLoss, parameters)
                sinceBest = 0
            } else {
                sinceBest += 1
            }
            return sinceBest < configuration.patience
        }
        setParameters(validation == nil ? result : best.parameters)
    }

    /// The mean cross-entropy and the accuracy on `data`.
    func lossAndAccuracy(on data: TrainingSet) -> (loss: Double, accuracy: Double) {
        let probabilities = probabilities(for: data.features)
        var loss = 0.0, correct = 0
        for (row, label) in data.labels.enumerated() {
            probabilities.withRow(row) { scores in
                loss -= Double(Foundation.log(max(scores[label], 1e-12)))
                if Kernels.argmax(scores) == label { correct += 1 }
            }
        }
        return (loss / Double(data.labels.count), Double(correct) / Double(data.labels.count))
    }

    /// Class probabilities for each row of `features`.
    public func probabilities(for features: Matrix) -> Matrix {
        var logits = Self.logits(features, weights: weights, bias: bias)
        logits.withUnsafeMutableBufferPointer { values in
            for row in 0..<features.rows {
                Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * classCount)..<((row + 1) * classCount)]))
            }
        }
        return logits
    }

    static func logits(_ features: Matrix, weights: Matrix, bias: [Float]) -> Matrix {
        var logits = Matrix(rows: features.rows, columns: weights.rows)
        logits.multiplyAdd(features, weights, transposeB: .transposed)
        logits.withUnsafeMutableBufferPointer { values in
            for row in 0..<features.rows { for column in bias.indices { values[row * bias.count + column] += bias[column] } }
        }
        return logits
    }

    /// Weights then biases, as one vector for the optimiser.
    private var parameters: [Double] {
        weights.withUnsafeBufferPointer { $0.map(Double.init) } + bias.map(Double.init)
    }

    mutating func setParameters(_ parameters: [Double]) {
        let count = weights.rows * weights.columns
        weights = Matrix(rows: weights.rows, columns: weights.columns, elements: parameters[0..<count].map(Float.init))
        bias = parameters[count...].map(Float.init)
    }
}

extension LogisticRegression: TrainableClassifier {
    /// `train(on:validation:configuration:progress:)`; the generator is not used (L-BFGS from zero
    /// weights is deterministic).
    public static func fit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet?, configuration: Configuration, using generator: inout G,
        progress: TrainingProgress?
    ) throws -> LogisticRegression {
        try train(on: data, validation: validation, configuration: configuration, progress: progress)
    }

    /// `partialFit(on:validation:iterations:progress:)` with `steps` L-BFGS iterations.
    public mutating func partialFit<G: RandomNumberGenerator>(
        on data: TrainingSet, validation: TrainingSet?, steps: Int, using generator: inout G, progress: TrainingProgress?
    ) throws {
        try partialFit(on: data, validation: validation, iterations: steps, progress: progress)
    }
}
