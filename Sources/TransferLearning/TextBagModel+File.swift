import EmbeddingStore
import LinearAlgebra
import NeuralNetworks
import TextFeatures

extension TextBagModel {
    /// What a model file's header records of an embedding-bag model; rows and layers are tensors.
    struct Description: Codable {
        var tokenizer: TokenizerConfiguration
        /// The task vocabulary in id order; the first `pretrainedCount` have pre-trained rows.
        var words: [String]
        var pretrainedCount: Int
        var wordNgrams: Int
        var characterNgrams: ClosedRange<Int>?
        var buckets: Int
        var pooling: EmbeddingBag.Pooling
        var trainable: TrainableParts
        var layerCount: Int
        /// The output loss (absent in files written before one-vs-all: softmax).
        var loss: OutputLoss?
    }

    var description: Description {
        Description(tokenizer: encoder.tokenizer.configuration, words: Array(encoder.vocabulary), pretrainedCount: encoder.pretrainedCount,
                    wordNgrams: encoder.wordNgrams, characterNgrams: encoder.characterNgrams, buckets: encoder.buckets, pooling: network.bag.pooling,
                    trainable: network.bag.trainsBase ? .embeddingsAndHead : .headOnly, layerCount: network.layers.count,
                    loss: network.loss == .softmax ? nil : network.loss)
    }

    /// The tensors of the model: the layers, and the rows — those training changed (or, when
    /// `selfContained`, every base row) with their indices.
    func tensors(selfContained: Bool) -> [String: TensorContainer.Tensor] {
        var tensors: [String: TensorContainer.Tensor] = [:]
        for (index, layer) in network.layers.enumerated() {
            tensors["layer.\(index).weights"] = .init(layer.weights)
            tensors["layer.\(index).bias"] = .init(floats: layer.bias, shape: [layer.bias.count])
        }
        let dimensions = network.bag.dimensions
        func store(_ name: String, rows: [Int], _ read: (Int, (UnsafeRawPointer) -> Void) -> Void) {
            var values = [Float]()
            values.reserveCapacity(rows.count * dimensions)
            for row in rows {
                read(row) { pointer in values += (0..<dimensions).map { pointer.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
            }
            tensors["\(name).rows"] = .init(integers: rows.map(Int32.init))
            tensors["\(name).values"] = .init(floats: values, shape: [rows.count, dimensions])
        }
        switch network.bag.base {
        case .frozen(let rows):
            store("bag.base", rows: selfContained ? Array(0..<rows.count) : []) { rows.withRow(at: $0, $1) }
        case .trainable(let rows):
            store("bag.base", rows: selfContained ? Array(0..<rows.count) : rows.touched.indices.filter { rows.touched[$0] }) {
                rows.withRow(at: $0, $1)
            }
        }
        let added = network.bag.added
        store("bag.added", rows: added.touched.indices.filter { added.touched[$0] }) { added.withRow(at: $0, $1) }
        return tensors
    }

    /// Restores a model from its description and tensors, over `embeddings` (nil when
    /// self-contained), checking every count and shape first.
    /// - Throws: `ModelFileError` naming the inconsistent part.
    init(_ description: Description, tensors: [String: TensorContainer.Tensor], embeddings: WordEmbeddings?, labelCount: Int,
         modelPath: String) throws {
        func fail(_ message: String) -> ModelFileError { ModelFileError(path: modelPath, message: message) }
        let words = description.words, pretrained = description.pretrainedCount
        guard pretrained >= 0, pretrained <= words.count, description.wordNgrams >= 1, description.wordNgrams <= 16,
              description.buckets >= 0, description.buckets <= 1 << 24,
              (description.characterNgrams.map { $0.lowerBound >= 1 && $0.upperBound <= 32 } ?? true),
              (description.wordNgrams == 1 && description.characterNgrams == nil) == (description.buckets == 0),
              Set(words).count == words.count, (1...8).contains(description.layerCount) else {
            throw fail("header: inconsistent embedding-bag settings")
        }
        let encoder = TextBagEncoder(tokenizer: description.tokenizer.makeTokenizer(), vocabulary: Vocabulary(words: words),
                                     pretrainedCount: pretrained, wordNgrams: description.wordNgrams,
                                     characterNgrams: description.characterNgrams, buckets: description.buckets)
        func rows(_ name: String, count: Int, dimensions: Int) throws -> [(row: Int, values: ArraySlice<Float>)] {
            guard let indices = tensors["\(name).rows"], let values = tensors["\(name).values"] else { throw fail("tensor '\(name)' is missing") }
            let rows = try indices.integers(in: modelPath, name: "\(name).rows"), floats = try values.floats(in: modelPath, name: "\(name).values")
            guard values.shape == [rows.count, dimensions], rows.allSatisfy({ $0 >= 0 && Int($0) < count }) else {
                throw fail("tensor '\(name)': rows or shape do not fit \(count) rows of \(dimensions)")
            }
            return rows.enumerated().map { (Int($1), floats[($0 * dimensions)..<(($0 + 1) * dimensions)]) }
        }
        let dimensions: Int
        let base: EmbeddingBag.BaseRows
        if let embeddings {
            dimensions = embeddings.dimensions
            let sourceRows = try words.prefix(pretrained).map { word in
                guard let row = embeddings.index(of: word) else { throw fail("the word '\(word)' has no vector in the embeddings") }
                return Int32(row)
            }
            let frozen = FrozenRows(source: embeddings, sourceRows: sourceRows)
            base = try Self.base(description.trainable, frozen: frozen, stored: try rows("bag.base", count: pretrained, dimensions: dimensions))
        } else {
            guard let stored = tensors["bag.base.values"], stored.shape.count == 2, stored.shape[0] == pretrained, stored.shape[1] > 0 else {
                throw fail("tensor 'bag.base': a self-contained model must hold every pre-trained row")
            }
            dimensions = stored.shape[1]
            var values = Matrix(rows: pretrained, columns: dimensions)
            for (row, vector) in try rows("bag.base", count: pretrained, dimensions: dimensions) {
                for (column, value) in vector.enumerated() { values[row, column] = value }
            }
            let frozen = FrozenRows(source: OwnedRows(values), sourceRows: (0..<pretrained).map(Int32.init))
            base = try Self.base(description.trainable, frozen: frozen, stored: [])
        }
        let addedCount = encoder.rowCount - pretrained
        var added = TrainableRows(values: Matrix(rows: addedCount, columns: dimensions))
        for (row, vector) in try rows("bag.added", count: addedCount, dimensions: dimensions) { added.restore(row: row, to: vector) }
        let bag = EmbeddingBag(base: base, added: added, dimensions: dimensions, pooling: description.pooling)
        var layers: [DenseLayer] = []
        var width = bag.outputWidth
        for index in 0..<description.layerCount {
            guard let weights = tensors["layer.\(index).weights"], let bias = tensors["layer.\(index).bias"], weights.shape.count == 2,
                  weights.shape[1] == width, bias.shape == [weights.shape[0]] else {
                throw fail("tensor 'layer.\(index)': missing, or its shape does not chain from width \(width)")
            }
            layers.append(DenseLayer(weights: Matrix(rows: weights.shape[0], columns: width,
                                                     elements: try weights.floats(in: modelPath, name: "layer.\(index).weights")),
                                     bias: try bias.floats(in: modelPath, name: "layer.\(index).bias")))
            width = weights.shape[0]
        }
        guard width == labelCount else { throw fail("tensor 'layer.\(description.layerCount - 1)': \(width) outputs for \(labelCount) labels") }
        self.init(encoder: encoder, network: EmbeddingBagClassifier(bag: bag, layers: layers, loss: description.loss ?? .softmax),
                  sourceEmbeddings: embeddings)
    }

    /// The base rows: frozen as they are, or trainable starting from them with the stored rows written over.
    private static func base(_ trainable: TrainableParts, frozen: FrozenRows,
                             stored: [(row: Int, values: ArraySlice<Float>)]) throws -> EmbeddingBag.BaseRows {
        guard trainable == .embeddingsAndHead else { return .frozen(frozen) }
        var rows = TrainableRows(copying: frozen)
        for (row, vector) in stored { rows.restore(row: row, to: vector) }
        return .trainable(rows)
    }
}
