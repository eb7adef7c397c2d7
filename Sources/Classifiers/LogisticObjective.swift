import LinearAlgebra
import NeuralNetworks

/// The logistic-regression objective and its gradient over a whole training set.
struct LogisticObjective: Sendable {
    let data: TrainingSet
    let exampleWeights: [Float]
    let penalty: Double

    init(data: TrainingSet, configuration: LogisticRegression.Configuration) {
        self.data = data
        exampleWeights = configuration.classWeighting.exampleWeights(labels: data.labels, classCount: data.classCount)
        penalty = 1 / (Double(configuration.inverseRegularization) * Double(data.labels.count))
    }

    private var classes: Int { data.classCount }
    private var features: Int { data.features.columns }

    /// The mean weighted cross-entropy plus `penalty/2 · ‖W‖²`.
    func loss(_ parameters: [Double]) -> Double {
        lossAndGradient(parameters, computeGradient: false).loss
    }

    /// The loss and its gradient with respect to weights then biases.
    func lossAndGradient(_ parameters: [Double]) -> (loss: Double, gradient: [Double]) {
        lossAndGradient(parameters, computeGradient: true)
    }

    private func lossAndGradient(_ parameters: [Double], computeGradient: Bool) -> (loss: Double, gradient: [Double]) {
        let weightCount = classes * features
        let weights = Matrix(rows: classes, columns: features, elements: parameters[0..<weightCount].map(Float.init))
        let bias = parameters[weightCount...].map(Float.init)
        let logits = LogisticRegression.logits(data.features, weights: weights, bias: bias)
        // The mean weighted cross-entropy and its gradient w · (p − y) / n with respect to the logits.
        let (meanLoss, logitGradient) = OutputLoss.softmax.batchLossAndGradient(logits: Tensor(logits), labels: data.labels, weights: exampleWeights)
        let squaredNorm = parameters[0..<weightCount].reduce(0) { $0 + $1 * $1 }
        let loss = meanLoss + penalty / 2 * squaredNorm
        guard computeGradient else { return (loss, []) }
        let probabilities = logitGradient.matrix
        var weightGradient = Matrix(rows: classes, columns: features)
        weightGradient.multiplyAdd(probabilities, data.features, transposeA: .transposed)
        var gradient = weightGradient.withUnsafeBufferPointer { $0.map(Double.init) }
        for index in 0..<weightCount { gradient[index] += penalty * parameters[index] }
        var biasGradient = [Double](repeating: 0, count: classes)
        probabilities.withUnsafeBufferPointer { values in
            for row in 0..<data.labels.count { for column in 0..<classes { biasGradient[column] += Double(values[row * classes + column]) } }
        }
        return (loss, gradient + biasGradient)
    }
}
