import Foundation
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
                    wordNgrams: encoder.wordNgrams, characterNgrams: encoder.characterNgrams, buckets: encoder.buckets, pooling: pooling,
                    trainable: parts.baseTable == nil ? .headOnly : .embeddingsAndHead, layerCount: parts.layers.count,
                    loss: loss == .softmax ? nil : loss)
    }

    /// The tensors of the model: the layers, and the rows — those training changed (or, when
    /// `selfContained`, every base row) with their indices. A pre-trained row changed when it
    /// differs from the embeddings' row; an added row when it is not zero (training zeroes the
    /// ones it never reached).
    func tensors(selfContained: Bool) -> [String: TensorContainer.Tensor] {
        var tensors: [String: TensorContainer.Tensor] = [:]
        for (index, layer) in parts.layers.enumerated() {
            let bias = network.parameters[layer.bias].value
            tensors["layer.\(index).weights"] = .init(network.parameters[layer.weights].value.matrix)
            tensors["layer.\(index).bias"] = .init(floats: bias.scalars, shape: bias.shape)
        }
        let dimensions = dimensions
        func store(_ name: String, rows: [Int], _ read: (Int) -> [Float]) {
            tensors["\(name).rows"] = .init(integers: rows.map(Int32.init))
            tensors["\(name).values"] = .init(floats: rows.flatMap(read), shape: [rows.count, dimensions])
        }
        let pretrained = encoder.pretrainedCount
        if let baseTable = parts.baseTable {
            let base = network.parameters[baseTable].value.matrix
            let changed = base.withUnsafeBufferPointer { values in
                (0..<pretrained).filter { row in
                    guard !selfContained, let embeddings = sourceEmbeddings, let source = embeddings.index(of: encoder.vocabulary.word(at: row)) else {
                        return true
                    }
                    return memcmp(values.baseAddress! + row * dimensions, embeddings.rowAddress(at: source), 4 * dimensions) != 0
                }
            }
            store("bag.base", rows: changed) { Array(base.row($0)) }
        } else if let frozen = parts.bag.frozenRows {
            store("bag.base", rows: selfContained ? Array(0..<pretrained) : []) { row in
                frozen.withRow(at: row) { pointer in (0..<dimensions).map { pointer.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) } }
            }
        }
        let added = network.parameters[parts.addedTable].value.matrix
        store("bag.added", rows: (0..<added.rows).filter { row in added.withRow(row) { $0.contains { $0 != 0 } } }) { Array(added.row($0)) }
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
        /// A rows × dimensions tensor starting as `start` with the stored rows written over. `start`
        /// is consumed, not copied: a copy of a zero table touches every page of it, and the rows
        /// never stored (most hashed n-gram buckets) then cost cache misses instead of reading the
        /// one shared zero page.
        func overlay(_ start: consuming Tensor, _ stored: [(row: Int, values: ArraySlice<Float>)]) -> Tensor {
            var result = consume start
            let width = result.shape[1]
            result.withUnsafeMutableBufferPointer { values in
                for (row, vector) in stored { for (column, value) in vector.enumerated() { values[row * width + column] = value } }
            }
            return result
        }
        let dimensions: Int
        let frozen: FrozenRows
        var storedBase: [(row: Int, values: ArraySlice<Float>)] = []
        if let embeddings {
            dimensions = embeddings.dimensions
            let sourceRows = try words.prefix(pretrained).map { word in
                guard let row = embeddings.index(of: word) else { throw fail("the word '\(word)' has no vector in the embeddings") }
                return Int32(row)
            }
            frozen = FrozenRows(source: embeddings, sourceRows: sourceRows)
            storedBase = try rows("bag.base", count: pretrained, dimensions: dimensions)
        } else {
            guard let stored = tensors["bag.base.values"], stored.shape.count == 2, stored.shape[0] == pretrained, stored.shape[1] > 0 else {
                throw fail("tensor 'bag.base': a self-contained model must hold every pre-trained row")
            }
            dimensions = stored.shape[1]
            let values = overlay(Tensor(zeros: [pretrained, dimensions]), try rows("bag.base", count: pretrained, dimensions: dimensions))
            frozen = FrozenRows(source: OwnedRows(values.matrix), sourceRows: (0..<pretrained).map(Int32.init))
        }
        let addedCount = encoder.rowCount - pretrained
        let added = overlay(Tensor(zeros: [addedCount, dimensions]), try rows("bag.added", count: addedCount, dimensions: dimensions))
        var layers: [(weights: Tensor, bias: Tensor)] = []
        var width = description.pooling == .meanAndMax ? 2 * dimensions : dimensions
        for index in 0..<description.layerCount {
            guard let weights = tensors["layer.\(index).weights"], let bias = tensors["layer.\(index).bias"], weights.shape.count == 2,
                  weights.shape[1] == width, bias.shape == [weights.shape[0]] else {
                throw fail("tensor 'layer.\(index)': missing, or its shape does not chain from width \(width)")
            }
            layers.append((Tensor(shape: weights.shape, elements: try weights.floats(in: modelPath, name: "layer.\(index).weights")),
                           Tensor(shape: bias.shape, elements: try bias.floats(in: modelPath, name: "layer.\(index).bias"))))
            width = weights.shape[0]
        }
        guard width == labelCount else { throw fail("tensor 'layer.\(description.layerCount - 1)': \(width) outputs for \(labelCount) labels") }
        let trainsBase = description.trainable == .embeddingsAndHead
        let network = BagClassifier.graph(frozen: trainsBase ? nil : frozen, trainableBase: trainsBase ? overlay(frozen.copiedRows, storedBase) : nil,
                                          added: added, pooling: description.pooling, layers: layers)
        try self.init(encoder: encoder, network: network, loss: description.loss ?? .softmax, sourceEmbeddings: embeddings)
    }
}
