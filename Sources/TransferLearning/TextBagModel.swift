import EmbeddingStore
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// A text network trained through (fine-tune) or on top of (combine) pre-trained vectors: the
/// encoder that turns texts into row ids and the bag classifier graph over those rows
/// (`BagClassifier`).
public struct TextBagModel: Sendable {
    /// Texts → row ids.
    public let encoder: TextBagEncoder
    /// Ids and bag starts → class scores.
    public let network: Graph
    /// Softmax (one class per text) or one sigmoid per class.
    public let loss: OutputLoss
    /// The embeddings its pre-trained rows came from (nil for a self-contained model read from a file).
    public let sourceEmbeddings: WordEmbeddings?
    /// Where the bag and layers sit in `network`.
    public let parts: BagClassifier

    /// A model from its parts.
    /// - Throws: `GraphError` when the network is not a bag classifier or has another number of rows than the encoder has ids.
    public init(encoder: TextBagEncoder, network: Graph, loss: OutputLoss, sourceEmbeddings: WordEmbeddings?) throws {
        let parts = try BagClassifier(network)
        let rows = parts.bag.frozenCount + (parts.baseTable.map { network.parameters[$0].value.shape[0] } ?? 0)
            + network.parameters[parts.addedTable].value.shape[0]
        guard rows == encoder.rowCount else { throw GraphError(node: nil, "the bag has \(rows) rows for \(encoder.rowCount) ids") }
        self.encoder = encoder
        self.network = network
        self.loss = loss
        self.sourceEmbeddings = sourceEmbeddings
        self.parts = parts
    }

    /// How the bag pools its rows.
    public var pooling: EmbeddingBag.Pooling { parts.bag.pooling }
    /// Floats per row.
    public var dimensions: Int { network.parameters[parts.addedTable].value.shape[1] }
    /// The number of classes.
    public var classCount: Int { network.parameters[parts.layers.last!.bias].value.count }

    /// What the bag is built from: the settings of fine-tune or combine.
    struct Recipe {
        var trainable: TrainableParts
        var wordNgrams: Int
        var characterNgrams: ClosedRange<Int>?
        var hiddenLayers: [Int]
        var pooling: EmbeddingBag.Pooling
        var training: SGDSettings
        /// Softmax, or one-vs-all for multi-label data (chosen from the data, not the strategy).
        var loss: OutputLoss = .softmax
    }

    /// Trains a network by `recipe` on `examples` (encoded by `encoder`, whose first rows are
    /// words of `embeddings`), with `validation` for early stopping.
    static func train(_ recipe: Recipe, encoder: TextBagEncoder, examples: some BagExampleSource, validation: BagExamples?,
                      embeddings: WordEmbeddings, seed: UInt64, progress: TrainingProgress?) throws -> TextBagModel {
        let dimensions = embeddings.dimensions
        let sourceRows = (0..<encoder.pretrainedCount).map { Int32(embeddings.index(of: encoder.vocabulary.word(at: $0))!) }
        let frozen = FrozenRows(source: embeddings, sourceRows: sourceRows)
        var generator = SplitMix64(seed: seed)
        // New rows start as fastText starts its input matrix: uniform on ±1/dimensions.
        let added = Tensor(Matrix(rows: encoder.rowCount - encoder.pretrainedCount, columns: dimensions,
                                  initializer: .uniform(limit: 1 / Float(dimensions)), using: &generator))
        let trainsBase = recipe.trainable == .embeddingsAndHead
        var network = BagClassifier.graph(frozen: trainsBase ? nil : frozen, trainableBase: trainsBase ? frozen.copiedRows : nil, added: added,
                                          pooling: recipe.pooling, hidden: recipe.hiddenLayers, classCount: examples.classCount, using: &generator)
        try network.trainBagClassifier(on: examples, validation: validation, loss: recipe.loss, settings: recipe.training, seed: generator.next(),
                                       progress: progress)
        return try TextBagModel(encoder: encoder, network: network, loss: recipe.loss, sourceEmbeddings: embeddings)
    }

    /// Class probabilities for each text (rows) and the mean share of tokens with a pre-trained
    /// row. Texts are encoded on all cores (the result does not depend on their number).
    public func probabilities(for texts: [String]) -> (matrix: Matrix, coverage: Double) {
        guard !texts.isEmpty else { return (Matrix(rows: 0, columns: classCount), 1) }
        var encoded = [[Int32]](repeating: [], count: texts.count)
        var coverages = [Double](repeating: 0, count: texts.count)
        let encoder = encoder
        encoded.withUnsafeMutableBufferPointer { bags in
            coverages.withUnsafeMutableBufferPointer { shares in
                let ids = SharedPointer(base: bags.baseAddress!), coverage = SharedPointer(base: shares.baseAddress!)
                Parallelism.available.forEachChunk(of: texts.count, minimumChunkSize: 256) { chunk in
                    for text in chunk {
                        var bag: [Int32] = []
                        let counts = encoder.encode(texts[text], into: &bag)
                        coverage.base[text] = counts.tokens == 0 ? 1 : Double(counts.pretrained) / Double(counts.tokens)
                        ids.base[text] = bag
                    }
                }
            }
        }
        var starts: [Int32] = [], all: [Int32] = []
        for bag in encoded {
            starts.append(Int32(all.count))
            all += bag
        }
        guard var scores = try? network.run([Tensor(shape: [all.count], integers: all), Tensor(shape: [starts.count], integers: starts)])[0].matrix else {
            preconditionFailure("TextBagModel: the encoder gives only ids of the bag's rows")
        }
        let classes = classCount, loss = loss
        scores.withUnsafeMutableBufferPointer { values in
            for row in 0..<texts.count { loss.probabilities(UnsafeMutableBufferPointer(rebasing: values[(row * classes)..<((row + 1) * classes)])) }
        }
        return (scores, coverages.reduce(0, +) / Double(texts.count))
    }

    /// The network after the bag: the pooled vector (N × width) to class probabilities (a softmax,
    /// or a sigmoid per class for one-vs-all).
    func headGraph() throws -> Graph {
        var builder = GraphBuilder(inputs: [Graph.Input(name: "features", shape: [nil, pooling == .meanAndMax ? 2 * dimensions : dimensions])])
        var value = Graph.Value.input(0)
        for (index, layer) in parts.layers.enumerated() {
            if index > 0 { value = builder.node(Relu(), [value], name: "relu\(index)") }
            value = builder.dense(value, weights: network.parameters[layer.weights].value, bias: network.parameters[layer.bias].value, name: "dense\(index + 1)")
        }
        let output = builder.node(loss == .softmax ? Softmax(axis: -1) as any Operation : Sigmoid(), [value], name: "probabilities")
        return try builder.graph(outputs: [output])
    }
}

extension FrozenRows {
    /// The rows as one owned tensor (rows × dimensions), for training them.
    var copiedRows: Tensor {
        let width = dimensions
        return Tensor(shape: [count, width]) { rows in
            for row in 0..<count {
                withRow(at: row) { UnsafeMutableRawPointer(rows.baseAddress! + row * width).copyMemory(from: $0, byteCount: 4 * width) }
            }
        }
    }
}
extension TextBagModel.Recipe {
    /// The recipe of an embedding-bag strategy (nil for the others).
    init?(_ strategy: TransferStrategy) {
        switch strategy {
        case .fineTune(let settings):
            self.init(trainable: settings.trainable, wordNgrams: settings.wordNgrams, characterNgrams: settings.characterNgrams,
                      hiddenLayers: settings.hiddenLayers, pooling: .mean, training: settings.training)
        case .combine(let settings):
            self.init(trainable: .headOnly, wordNgrams: settings.wordNgrams, characterNgrams: nil,
                      hiddenLayers: settings.hiddenLayers, pooling: settings.pooling, training: settings.training)
        case .usePretrained, .fixedFeatures, .fromScratch:
            return nil
        }
    }
}
