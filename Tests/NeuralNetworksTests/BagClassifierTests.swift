import LinearAlgebra
import Testing

import NeuralNetworks

@Suite("The bag classifier's sparse training path: SGD gradients, freezing by type, reproducible training")
struct BagClassifierTests {
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var generator = SplitMix64(seed: seed)
        return Matrix(rows: rows, columns: columns, initializer: .normal(standardDeviation: 0.7), using: &generator)
    }

    static func network(pooling: EmbeddingBag.Pooling, base: Matrix, added: Matrix, layers: [DenseLayer]) -> Graph {
        BagClassifier.graph(frozen: nil, trainableBase: Tensor(base), added: Tensor(added), pooling: pooling,
                            layers: layers.map { (Tensor($0.weights), Tensor(shape: [$0.bias.count], elements: $0.bias)) })
    }

    /// The values of `graph`'s parameter `name`, as a matrix.
    static func values(_ graph: Graph, _ name: String) -> Matrix {
        let value = graph.parameters[graph.parameterIndex(named: name)!].value
        return value.reshaped([value.shape[0], value.count / max(1, value.shape[0])]).matrix
    }

    /// The loss of one example.
    static func loss(_ network: Graph, _ example: BagExamples, _ loss: OutputLoss) throws -> Double {
        try network.scoreBags(example, loss: loss).loss
    }

    /// One parameter before and after a training step, with the loss's central-difference
    /// gradient at the starting point (step 1e-2).
    struct ParameterChange {
        let name: String, before: Float, after: Float, numeric: Double
    }

    /// Every parameter of the network built from `base`, `added` and `layers` — the rows, each
    /// layer's weights and, with `biases`, its biases — as `stepped` changed it, with its gradient
    /// on `example`.
    static func parameterChanges(pooling: EmbeddingBag.Pooling, base: Matrix, added: Matrix, layers: [DenseLayer], loss: OutputLoss,
                                 example: BagExamples, stepped: Graph, biases: Bool) throws -> [ParameterChange] {
        func network(base: Matrix = base, added: Matrix = added, layers: [DenseLayer] = layers) -> Graph {
            Self.network(pooling: pooling, base: base, added: added, layers: layers)
        }
        func changes(_ before: Matrix, _ after: Matrix, name: String, perturbed: (Matrix) -> Graph) throws -> [ParameterChange] {
            try (0..<before.rows).flatMap { row in
                try (0..<before.columns).map { column in
                    var plus = before, minus = before
                    plus[row, column] += 1e-2
                    minus[row, column] -= 1e-2
                    let numeric = (try Self.loss(perturbed(plus), example, loss) - Self.loss(perturbed(minus), example, loss)) / 2e-2
                    return ParameterChange(name: "\(name)[\(row), \(column)]", before: before[row, column], after: after[row, column],
                                           numeric: numeric)
                }
            }
        }
        var all = try changes(base, values(stepped, "bag.base"), name: "base") { network(base: $0) }
            + changes(added, values(stepped, "bag.added"), name: "added") { network(added: $0) }
        for index in layers.indices {
            all += try changes(layers[index].weights, values(stepped, "dense\(index + 1).weight"), name: "layer \(index)") { weights in
                var changed = layers
                changed[index] = DenseLayer(weights: weights, bias: layers[index].bias)
                return network(layers: changed)
            }
            guard biases else { continue }
            let bias = Matrix(rows: 1, columns: layers[index].bias.count, elements: layers[index].bias)
            let steppedBias = Matrix(rows: 1, columns: bias.columns, elements: values(stepped, "dense\(index + 1).bias").withUnsafeBufferPointer(Array.init))
            all += try changes(bias, steppedBias, name: "bias \(index)") { bias in
                var changed = layers
                changed[index] = DenseLayer(weights: layers[index].weights, bias: bias.withUnsafeBufferPointer { Array($0) })
                return network(layers: changed)
            }
        }
        return all
    }

    @Test("one SGD step moves every parameter by −rate × its finite-difference gradient (softmax; one-vs-all with two classes)",
          arguments: [EmbeddingBag.Pooling.mean, .meanAndMax], [OutputLoss.softmax, .oneVersusAll])
    func gradients(pooling: EmbeddingBag.Pooling, loss: OutputLoss) throws {
        let dimensions = 3
        let base = Self.matrix(2, dimensions, seed: 1), added = Self.matrix(2, dimensions, seed: 2)
        let width = pooling == .meanAndMax ? 2 * dimensions : dimensions
        let layers = [DenseLayer(weights: Self.matrix(4, width, seed: 3), bias: [0.1, -0.2, 0.3, 0.05]),
                      DenseLayer(weights: Self.matrix(3, 4, seed: 4), bias: [0, 0.1, -0.1])]
        var example = BagExamples(classCount: 3)
        example.append(ids: [0, 2, 3, 0], classes: loss == .softmax ? [1] : [1, 2])
        var stepped = Self.network(pooling: pooling, base: base, added: added, layers: layers)
        var settings = SGDSettings()
        settings.epochs = 1
        settings.learningRate = 1e-3
        settings.schedule = .constant
        try stepped.trainBagClassifier(on: example, loss: loss, settings: settings, seed: 1)

        for change in try Self.parameterChanges(pooling: pooling, base: base, added: added, layers: layers, loss: loss, example: example,
                                                stepped: stepped, biases: true) {
            let analytic = Double(change.before - change.after) / 1e-3
            #expect(abs(change.numeric - analytic) < 2e-3 + 2e-2 * abs(change.numeric), "\(change.name): \(change.numeric) vs \(analytic)")
        }
        #expect(Self.values(stepped, "bag.base").withRow(1) { Array($0) } == base.withRow(1) { Array($0) }, "base row 1 is in no bag")
    }

    @Test("lazy Adam's first step moves every parameter with a gradient by −rate × its sign; rows the example lacks keep their bytes",
          arguments: [EmbeddingBag.Pooling.mean, .meanAndMax])
    func lazyAdamFirstStep(pooling: EmbeddingBag.Pooling) throws {
        let dimensions = 3, rate: Float = 1e-3
        let base = Self.matrix(3, dimensions, seed: 1), added = Self.matrix(2, dimensions, seed: 2)
        let width = pooling == .meanAndMax ? 2 * dimensions : dimensions
        let layers = [DenseLayer(weights: Self.matrix(4, width, seed: 3), bias: [0.1, -0.2, 0.3, 0.05]),
                      DenseLayer(weights: Self.matrix(3, 4, seed: 4), bias: [0, 0.1, -0.1])]
        var example = BagExamples(classCount: 3)
        example.append(ids: [0, 3, 4, 0], label: 1)  // base row 0 twice, rows 1 and 2 unused
        var stepped = Self.network(pooling: pooling, base: base, added: added, layers: layers)
        var settings = SGDSettings()
        settings.epochs = 1
        settings.learningRate = rate
        settings.schedule = .constant
        settings.optimizer = .adam
        try stepped.trainBagClassifier(on: example, settings: settings, seed: 1)

        for change in try Self.parameterChanges(pooling: pooling, base: base, added: added, layers: layers, loss: .softmax,
                                                example: example, stepped: stepped, biases: false) {
            let moved = Double(change.after - change.before)
            if abs(change.numeric) < 1e-4 {
                #expect(abs(moved) < 1e-6, "\(change.name) has no gradient but moved \(moved)")
            } else {
                // m̂ / √v̂ = g / |g| after one step: a move of −rate · sign(g) (ε aside).
                #expect(abs(moved + Double(rate) * (change.numeric > 0 ? 1 : -1)) < 1e-5, "\(change.name): \(moved) for \(change.numeric)")
            }
        }
        let steppedBase = Self.values(stepped, "bag.base")
        #expect(steppedBase.withRow(1) { Array($0) } == base.withRow(1) { Array($0) })
        #expect(steppedBase.withRow(2) { Array($0) } == base.withRow(2) { Array($0) })
    }

    @Test("lazy Adam learns the task on one and two threads")
    func lazyAdamLearns() throws {
        for threads in [1, 2] {
            var generator = SplitMix64(seed: 1)
            var network = BagClassifier.graph(frozen: nil, trainableBase: Tensor(Self.matrix(3, 4, seed: 5)), added: Tensor(Self.matrix(2, 4, seed: 6)),
                                              pooling: .mean, hidden: [5], classCount: 2, using: &generator)
            var settings = SGDSettings()
            settings.optimizer = .adam
            settings.learningRate = 0.01
            settings.threadCount = threads
            try network.trainBagClassifier(on: Self.task(count: 300, seed: 3), settings: settings, seed: 2)
            #expect(try network.scoreBags(Self.task(count: 100, seed: 9), loss: .softmax).accuracy > 0.95, "\(threads) threads")
        }
    }

    /// A separable task: ids 0–1 mean class 0, ids 2–3 class 1; id 4 is noise.
    static func task(count: Int, seed: UInt64) -> BagExamples {
        var generator = SplitMix64(seed: seed)
        var examples = BagExamples(classCount: 2)
        for _ in 0..<count {
            let label = Int(generator.next() % 2)
            examples.append(ids: [Int32(2 * label + Int(generator.next() % 2)), 4], label: label)
        }
        return examples
    }

    @Test("a frozen base is never written; training still learns through the head and added rows")
    func frozenBase() throws {
        let rows = Self.matrix(3, 4, seed: 5)
        let frozen = FrozenRows(source: OwnedRows(rows), sourceRows: [0, 1, 2])
        var generator = SplitMix64(seed: 1)
        var network = BagClassifier.graph(frozen: frozen, trainableBase: nil, added: Tensor(Self.matrix(2, 4, seed: 6)), pooling: .mean,
                                          hidden: [], classCount: 2, using: &generator)
        try network.trainBagClassifier(on: Self.task(count: 200, seed: 1), seed: 2)
        let parts = try BagClassifier(network)
        #expect(parts.baseTable == nil && !network.parameters.contains { $0.name == "bag.base" }, "a frozen base is no parameter")
        for row in 0..<3 {
            let values = parts.bag.frozenRows!.withRow(at: row) { pointer in (0..<4).map { pointer.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
            #expect(values == rows.withRow(row) { Array($0) })
        }
        #expect(try network.scoreBags(Self.task(count: 100, seed: 9), loss: .softmax).accuracy > 0.95)
    }

    @Test("the same seed on one thread gives the same parameters to the bit; two threads still learn")
    func reproducible() throws {
        func trained(seed: UInt64, threads: Int) throws -> Graph {
            var generator = SplitMix64(seed: seed)
            var network = BagClassifier.graph(frozen: nil, trainableBase: Tensor(Self.matrix(3, 4, seed: 5)), added: Tensor(Self.matrix(2, 4, seed: 6)),
                                              pooling: .meanAndMax, hidden: [5], classCount: 2, using: &generator)
            var settings = SGDSettings()
            settings.threadCount = threads
            settings.tokenDropout = 0.2
            try network.trainBagClassifier(on: Self.task(count: 300, seed: 3), validation: Self.task(count: 50, seed: 4), settings: settings, seed: seed)
            return network
        }
        let first = try trained(seed: 7, threads: 1), second = try trained(seed: 7, threads: 1)
        #expect(first.parameters.map(\.value) == second.parameters.map(\.value))
        #expect(try trained(seed: 7, threads: 2).scoreBags(Self.task(count: 100, seed: 9), loss: .softmax).accuracy > 0.95)
    }

    @Test("the loop stops after `patience` epochs without a better watched score and reports the best epoch")
    func earlyStopping() throws {
        let losses = [1.0, 0.5, 0.6, 0.7, 0.4, 0.9]
        var epochs: [Int] = []
        var kept: [Int] = []
        let outcome = try TrainingLoop(epochs: 6, patience: 2).run(progress: { epoch, _, _ in epochs.append(epoch) },
                                                                   epoch: { losses[$0 - 1] }, validate: { nil },
                                                                   keepBest: { kept.append(epochs.count) })
        #expect(outcome == TrainingLoop.Outcome(epochsRun: 4, bestEpoch: 2) && epochs == [1, 2, 3, 4] && kept == [1, 2])
        #expect(throws: TrainingError.diverged(step: 1)) {
            try TrainingLoop(epochs: 3, patience: 1).run(progress: nil, epoch: { _ in .nan }, validate: { nil }, keepBest: {})
        }
    }
}
