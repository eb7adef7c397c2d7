import Foundation
import LinearAlgebra

/// A text network: an embedding bag pooled into one vector, then dense layers (ReLU between) and
/// a softmax — fastText's supervised model when there is one layer and the bag is trainable.
public struct EmbeddingBagClassifier: Sendable {
    /// The input rows.
    public internal(set) var bag: EmbeddingBag
    /// The dense layers, input side first; ReLU between them, `loss`'s probabilities after the last.
    public internal(set) var layers: [DenseLayer]
    /// Softmax (one class per example) or one sigmoid per class (several).
    public let loss: OutputLoss

    /// The number of classes.
    public var classCount: Int { layers[layers.count - 1].weights.rows }

    /// A network over `bag` with `hidden` ReLU layers (Glorot-initialised) and an output layer
    /// of zeros, as fastText starts its output matrix.
    /// - Precondition: at least two classes, positive hidden sizes.
    public init<G: RandomNumberGenerator>(bag: EmbeddingBag, hidden: [Int], classCount: Int, loss: OutputLoss = .softmax,
                                          using generator: inout G) {
        precondition(classCount >= 2 && hidden.allSatisfy { $0 > 0 }, "EmbeddingBagClassifier: \(hidden) → \(classCount)")
        let sizes = [bag.outputWidth] + hidden + [classCount]
        layers = (1..<sizes.count).map { index in
            let isOutput = index == sizes.count - 1
            return DenseLayer(weights: Matrix(rows: sizes[index], columns: sizes[index - 1],
                                              initializer: isOutput ? .zeros : .glorotUniform, using: &generator),
                              bias: [Float](repeating: 0, count: sizes[index]))
        }
        self.bag = bag
        self.loss = loss
    }

    /// A network from its parts (as a model file restores it).
    /// - Precondition: the layers chain from the bag's width.
    public init(bag: EmbeddingBag, layers: [DenseLayer], loss: OutputLoss = .softmax) {
        precondition(!layers.isEmpty && layers[0].weights.columns == bag.outputWidth
                     && zip(layers, layers.dropFirst()).allSatisfy { $0.weights.rows == $1.weights.columns },
                     "EmbeddingBagClassifier: layers do not chain from width \(bag.outputWidth)")
        self.bag = bag
        self.layers = layers
        self.loss = loss
    }

    /// The pooled bag of each example (rows × the bag's output width).
    /// - Complexity: O(total ids × dimensions).
    public func pooled(_ examples: BagExamples) -> Matrix {
        var features = Matrix(rows: examples.count, columns: bag.outputWidth)
        let width = bag.outputWidth, bag = bag
        features.withUnsafeMutableBufferPointer { values in
            let rows = SharedPointer(base: values.baseAddress!)
            Parallelism.available.forEachChunk(of: examples.count, minimumChunkSize: 512) { chunk in
                for example in chunk {
                    examples.withIDs(of: example) { ids in
                        bag.pool(ids, into: UnsafeMutableBufferPointer(start: rows.base + example * width, count: width))
                    }
                }
            }
        }
        return features
    }

    /// Class probabilities for pooled inputs (rows × classes).
    /// - Complexity: O(rows × parameters of the layers).
    public func probabilities(forPooled input: Matrix) -> Matrix {
        var activation = input
        for (index, layer) in layers.enumerated() {
            activation = layer.forward(activation)
            if index < layers.count - 1 { DenseLayer.relu(&activation) }
        }
        let classes = classCount
        activation.withUnsafeMutableBufferPointer { values in
            for row in 0..<input.rows {
                loss.probabilities(UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)]))
            }
        }
        return activation
    }

    /// Class probabilities for each example (rows × classes).
    public func probabilities(for examples: BagExamples) -> Matrix {
        probabilities(forPooled: pooled(examples))
    }

    /// The mean loss and the accuracy on `examples` (the most probable class is one of the
    /// example's classes).
    public func score(on examples: BagExamples) -> ValidationScore {
        let probabilities = probabilities(for: examples)
        var loss = 0.0, correct = 0
        for row in 0..<examples.count {
            let classes = examples.classes(of: row)
            probabilities.withRow(row) { scores in
                loss += self.loss.loss(scores, classes: classes)
                if let best = Kernels.argmax(scores), classes.contains(best) { correct += 1 }
            }
        }
        return ValidationScore(loss: loss / Double(max(1, examples.count)),
                               accuracy: Double(correct) / Double(max(1, examples.count)))
    }
}

extension EmbeddingBagClassifier {
    /// Zeroes the bag's added rows that training never touched (see `TrainableRows.zeroUntouched()`).
    public mutating func zeroUntouchedAddedRows() {
        bag.added.zeroUntouched()
    }
}
