import EmbeddingStore
import LinearAlgebra
import NeuralNetworks
import TextFeatures

/// A text network trained through (fine-tune) or on top of (combine) pre-trained vectors: the
/// encoder that turns texts into row ids and the embedding-bag network over those rows.
public struct TextBagModel: Sendable {
    /// Texts → row ids.
    public let encoder: TextBagEncoder
    /// The network.
    public let network: EmbeddingBagClassifier
    /// The embeddings its pre-trained rows came from (nil for a self-contained model read from a file).
    public let sourceEmbeddings: WordEmbeddings?

    /// A model from its parts.
    /// - Precondition: the network's bag has a row for every id the encoder gives.
    public init(encoder: TextBagEncoder, network: EmbeddingBagClassifier, sourceEmbeddings: WordEmbeddings?) {
        precondition(network.bag.rowCount == encoder.rowCount, "TextBagModel: \(network.bag.rowCount) rows for \(encoder.rowCount) ids")
        self.encoder = encoder
        self.network = network
        self.sourceEmbeddings = sourceEmbeddings
    }

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
        let base: EmbeddingBag.BaseRows = recipe.trainable == .headOnly ? .frozen(frozen) : .trainable(TrainableRows(copying: frozen))
        var generator = SplitMix64(seed: seed)
        // New rows start as fastText starts its input matrix: uniform on ±1/dimensions.
        let added = TrainableRows(values: Matrix(rows: encoder.rowCount - encoder.pretrainedCount, columns: dimensions,
                                                 initializer: .uniform(limit: 1 / Float(dimensions)), using: &generator))
        let bag = EmbeddingBag(base: base, added: added, dimensions: dimensions, pooling: recipe.pooling)
        var network = EmbeddingBagClassifier(bag: bag, hidden: recipe.hiddenLayers, classCount: examples.classCount, loss: recipe.loss,
                                             using: &generator)
        try network.train(on: examples, validation: validation, settings: recipe.training, seed: generator.next(), progress: progress)
        network.zeroUntouchedAddedRows()
        return TextBagModel(encoder: encoder, network: network, sourceEmbeddings: embeddings)
    }

    /// Class probabilities for each text (rows) and the mean share of tokens with a pre-trained
    /// row. Texts are encoded and pooled on all cores (the result does not depend on their number).
    public func probabilities(for texts: [String]) -> (matrix: Matrix, coverage: Double) {
        guard !texts.isEmpty else { return (Matrix(rows: 0, columns: network.classCount), 1) }
        let width = network.bag.outputWidth, encoder = encoder, bag = network.bag
        var pooled = Matrix(rows: texts.count, columns: width)
        var coverages = [Double](repeating: 0, count: texts.count)
        pooled.withUnsafeMutableBufferPointer { values in
            coverages.withUnsafeMutableBufferPointer { shares in
                let rows = SharedPointer(base: values.baseAddress!), coverage = SharedPointer(base: shares.baseAddress!)
                Parallelism.available.forEachChunk(of: texts.count, minimumChunkSize: 256) { chunk in
                    var ids: [Int32] = []
                    for text in chunk {
                        ids.removeAll(keepingCapacity: true)
                        let counts = encoder.encode(texts[text], into: &ids)
                        coverage.base[text] = counts.tokens == 0 ? 1 : Double(counts.pretrained) / Double(counts.tokens)
                        ids.withUnsafeBufferPointer {
                            bag.pool($0, into: UnsafeMutableBufferPointer(start: rows.base + text * width, count: width))
                        }
                    }
                }
            }
        }
        return (network.probabilities(forPooled: pooled), coverages.reduce(0, +) / Double(texts.count))
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
