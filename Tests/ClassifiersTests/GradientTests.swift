import Foundation
import LinearAlgebra
import Testing

@testable import Classifiers

/// A small random problem: `examples` rows of `features` values, labels in 0..<classes.
func randomProblem(examples: Int, features: Int, classes: Int, seed: UInt64) -> TrainingSet {
    var generator = SplitMix64(seed: seed)
    let matrix = Matrix(rows: examples, columns: features, initializer: .normal(standardDeviation: 1), using: &generator)
    let labels = (0..<examples).map { _ in Int(generator.next() % UInt64(classes)) }
    return try! TrainingSet(features: matrix, labels: labels, classCount: classes)
}

@Suite("Hand-written gradients match finite differences")
struct GradientTests {
    @Test("logistic regression: weights and biases, uniform and balanced classes", arguments: [ClassWeighting.uniform, .balanced])
    func logistic(weighting: ClassWeighting) {
        let data = randomProblem(examples: 30, features: 5, classes: 3, seed: 4)
        var configuration = LogisticRegression.Configuration()
        configuration.classWeighting = weighting
        configuration.inverseRegularization = 0.5
        let objective = LogisticObjective(data: data, configuration: configuration)
        var generator = SplitMix64(seed: 9)
        let parameters = (0..<(3 * 5 + 3)).map { _ in Double(generator.nextNormal(standardDeviation: 0.3)) }
        let analytic = objective.lossAndGradient(parameters).gradient
        for index in parameters.indices {
            var plus = parameters, minus = parameters
            plus[index] += 1e-3
            minus[index] -= 1e-3
            let numeric = (objective.loss(plus) - objective.loss(minus)) / 2e-3
            #expect(abs(numeric - analytic[index]) < 2e-3 * max(1, abs(numeric)), "parameter \(index): \(numeric) vs \(analytic[index])")
        }
    }

    @Test("multilayer perceptron: every weight and bias of two hidden layers")
    func perceptron() throws {
        let data = randomProblem(examples: 12, features: 4, classes: 3, seed: 5)
        var configuration = MultilayerPerceptron.Configuration()
        configuration.hiddenLayers = [6, 5]
        configuration.epochs = 1
        configuration.l2 = 0.01
        var generator = SplitMix64(seed: 3)
        let model = try MultilayerPerceptron.train(on: data, configuration: configuration, using: &generator)
        let weights = [Float](repeating: 1, count: data.labels.count)
        let (_, gradients) = model.backpropagate(data, weights: weights, using: &generator)
        // The gradients include the L2 term; the batch loss does not, so add it here.
        func loss(_ candidate: MultilayerPerceptron) -> Double {
            candidate.backpropagate(data, weights: weights, using: &generator).loss
                + 0.01 / 2 * candidate.layers.reduce(0) { $0 + $1.squaredWeightNorm } / Double(data.labels.count)
        }
        var checked = 0
        for layer in model.layers.indices {
            for index in 0..<(model.layers[layer].weights.rows * model.layers[layer].weights.columns) where index % 3 == 0 {
                let (row, column) = (index / model.layers[layer].weights.columns, index % model.layers[layer].weights.columns)
                let numeric = (loss(model.perturbed(layer: layer, row: row, column: column, by: 1e-2))
                    - loss(model.perturbed(layer: layer, row: row, column: column, by: -1e-2))) / 2e-2
                let analytic = Double(gradients[layer].weights[row, column])
                #expect(abs(numeric - analytic) < 2e-3 + 2e-2 * abs(numeric), "layer \(layer) [\(row), \(column)]: \(numeric) vs \(analytic)")
                checked += 1
            }
            for index in model.layers[layer].bias.indices {
                let numeric = (loss(model.perturbed(layer: layer, bias: index, by: 1e-2))
                    - loss(model.perturbed(layer: layer, bias: index, by: -1e-2))) / 2e-2
                #expect(abs(numeric - Double(gradients[layer].bias[index])) < 2e-3 + 2e-2 * abs(numeric), "layer \(layer) bias \(index)")
            }
        }
        #expect(checked > 20)
    }
}

extension MultilayerPerceptron {
    func perturbed(layer: Int, row: Int, column: Int, by delta: Float) -> MultilayerPerceptron {
        var copy = self
        copy.adjust { layers in layers[layer].weights[row, column] += delta }
        return copy
    }

    func perturbed(layer: Int, bias: Int, by delta: Float) -> MultilayerPerceptron {
        var copy = self
        copy.adjust { layers in layers[layer].bias[bias] += delta }
        return copy
    }
}
