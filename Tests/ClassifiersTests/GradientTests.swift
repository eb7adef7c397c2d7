import Foundation
import LinearAlgebra
import NeuralNetworks
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

    @Test("multilayer perceptron: every weight and bias of two hidden layers, through its graph")
    func perceptron() throws {
        let data = randomProblem(examples: 12, features: 4, classes: 3, seed: 5)
        var configuration = MultilayerPerceptron.Configuration()
        configuration.hiddenLayers = [6, 5]
        configuration.epochs = 1
        var generator = SplitMix64(seed: 3)
        let network = try MultilayerPerceptron.train(on: data, configuration: configuration, using: &generator).network
        let feeds = [Tensor(data.features)]
        func loss(_ graph: Graph) throws -> Double {
            OutputLoss.softmax.batchLossAndGradient(logits: try graph.run(feeds)[0], labels: data.labels).loss
        }
        let pass = try network.trainingPass(feeds, scope: TrainingScope(), seed: 1)
        let gradients = network.backward(pass, outputGradients: [OutputLoss.softmax.batchLossAndGradient(logits: pass.outputs[0], labels: data.labels).gradient])
        var checked = 0
        for (index, parameter) in network.parameters.enumerated() {
            for element in stride(from: 0, to: parameter.value.count, by: 2) {
                func moved(by delta: Float) -> Graph {
                    var graph = network, value = parameter.value
                    value.withUnsafeMutableBufferPointer { $0[element] += delta }
                    graph.setValue(value, ofParameter: index)
                    return graph
                }
                let numeric = (try loss(moved(by: 1e-2)) - loss(moved(by: -1e-2))) / 2e-2
                let analytic = Double(gradients[index]!.scalars[element])
                #expect(abs(numeric - analytic) < 2e-3 + 2e-2 * abs(numeric), "\(parameter.name)[\(element)]: \(numeric) vs \(analytic)")
                checked += 1
            }
        }
        #expect(checked > 40)
    }
}
