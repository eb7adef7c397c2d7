import LinearAlgebra

extension GraphBuilder {
    /// Adds a BERT-style encoder over token `ids` and their attention `mask` (both `[batch,
    /// sequence]` integers, the mask 1 for a token and 0 for padding, every sequence of type 0) and
    /// returns its last hidden state `[batch, sequence, hidden]`: embeddings (word + position +
    /// type, layer-normalised), then per layer masked multi-head self-attention and a feed-forward
    /// block, each added back and layer-normalised — as Hugging Face's `BertModel` computes it in
    /// evaluation mode. The sequence length may differ between runs (the position table is cut to it).
    ///
    /// Parameters take Hugging Face's names (`embeddings.word_embeddings.weight`,
    /// `encoder.layer.0.attention.self.query.weight` …); dense weights are stored transposed
    /// (inputs × outputs, as the `MatMul` reads them).
    /// - Parameter weights: the tensor of a name in Hugging Face's layout (dense weights outputs ×
    ///   inputs) and the shape it must have; it throws for a missing or misshapen one.
    public mutating func transformerEncoder(ids: Graph.Value, mask: Graph.Value, configuration: TransformerConfiguration,
                                            weights: (_ name: String, _ shape: [Int]) throws -> Tensor) throws -> Graph.Value {
        let hidden = configuration.hiddenSize, heads = configuration.headCount, headSize = hidden / heads
        func weight(_ name: String, _ shape: [Int], transposed: Bool = false) throws -> Graph.Value {
            let tensor = try weights(name, shape)
            guard tensor.shape == shape, tensor.elementType == .float32 else {
                throw OperationError("weight '\(name)' is \(tensor), not float32 \(shape)")
            }
            guard transposed else { return parameter(name, tensor) }
            let (rows, columns) = (shape[0], shape[1])
            return parameter(name, Tensor(shape: [columns, rows]) { target in
                tensor.withUnsafeBufferPointer { source in
                    for row in 0..<rows { for column in 0..<columns { target[column * rows + row] = source[row * columns + column] } }
                }
            })
        }
        func constant(_ name: String, _ values: [Float]) -> Graph.Value {
            parameter(name, Tensor(shape: [values.count], elements: values), kind: .constant)
        }
        func layerNormalized(_ x: Graph.Value, _ prefix: String) throws -> Graph.Value {
            node(LayerNormalization(axis: -1, epsilon: configuration.layerNormEpsilon),
                 [x, try weight("\(prefix).weight", [hidden]), try weight("\(prefix).bias", [hidden])], name: prefix)
        }
        func dense(_ x: Graph.Value, _ prefix: String, inputs: Int, outputs: Int) throws -> Graph.Value {
            let product = node(MatMul(), [x, try weight("\(prefix).weight", [outputs, inputs], transposed: true)], name: prefix)
            return node(Add(), [product, try weight("\(prefix).bias", [outputs])], name: "\(prefix).bias")
        }

        // Embeddings.
        let words = node(Gather(axis: 0), [try weight("embeddings.word_embeddings.weight", [configuration.vocabularySize, hidden]), ids],
                         name: "embeddings.word_embeddings")
        let positions = node(PrefixAlong(axis: 0, referenceAxis: 1),
                             [try weight("embeddings.position_embeddings.weight", [configuration.maximumPositions, hidden]), ids],
                             name: "embeddings.position_embeddings")
        let firstType = parameter("embeddings.type_index", Tensor(shape: [1], integers: [0]), kind: .constant)
        let types = node(Gather(axis: 0), [try weight("embeddings.token_type_embeddings.weight", [configuration.typeVocabularySize, hidden]), firstType],
                         name: "embeddings.token_type_embeddings")
        let summed = node(Add(), [node(Add(), [words, positions]), types])
        var x = try layerNormalized(summed, "embeddings.LayerNorm")

        // The mask as scores to add: 0 for tokens, the lowest float for padding, [batch, 1, 1, sequence].
        let present = node(Cast(target: .float), [mask], name: "attention_mask.float")
        let absent = node(Sub(), [constant("attention_mask.one", [1]), present])
        let lowest = node(Mul(), [absent, constant("attention_mask.lowest", [-Float.greatestFiniteMagnitude])])
        let maskScores = node(Reshape(shape: [0, 1, 1, -1]), [lowest], name: "attention_mask.scores")
        let scale = constant("attention.scale", [1 / Float(headSize).squareRoot()])

        for layer in 0..<configuration.layerCount {
            let prefix = "encoder.layer.\(layer)"
            func split(_ projection: Graph.Value, keysLast: Bool) -> Graph.Value {
                let perHead = node(Reshape(shape: [0, 0, heads, headSize]), [projection])
                return node(Transpose(permutation: keysLast ? [0, 2, 3, 1] : [0, 2, 1, 3]), [perHead])
            }
            let query = split(try dense(x, "\(prefix).attention.self.query", inputs: hidden, outputs: hidden), keysLast: false)
            let key = split(try dense(x, "\(prefix).attention.self.key", inputs: hidden, outputs: hidden), keysLast: true)
            let value = split(try dense(x, "\(prefix).attention.self.value", inputs: hidden, outputs: hidden), keysLast: false)
            let scores = node(Add(), [node(Mul(), [node(MatMul(), [query, key], name: "\(prefix).attention.scores"), scale]), maskScores])
            let probabilities = node(Softmax(axis: -1), [scores], name: "\(prefix).attention.probabilities")
            let context = node(MatMul(), [probabilities, value], name: "\(prefix).attention.context")
            let merged = node(Reshape(shape: [0, 0, hidden]), [node(Transpose(permutation: [0, 2, 1, 3]), [context])])
            let attended = try dense(merged, "\(prefix).attention.output.dense", inputs: hidden, outputs: hidden)
            x = try layerNormalized(node(Add(), [attended, x]), "\(prefix).attention.output.LayerNorm")

            let expanded = try dense(x, "\(prefix).intermediate.dense", inputs: hidden, outputs: configuration.intermediateSize)
            let activated: Graph.Value = switch configuration.activation {
            case "relu": node(Relu(), [expanded])
            case "gelu": node(Gelu(approximation: .none), [expanded])
            default: node(Gelu(approximation: .tanh), [expanded])
            }
            let contracted = try dense(activated, "\(prefix).output.dense", inputs: configuration.intermediateSize, outputs: hidden)
            x = try layerNormalized(node(Add(), [contracted, x]), "\(prefix).output.LayerNorm")
        }
        return x
    }

    /// Adds the mean of `hidden` (`[batch, sequence, width]`) over the tokens `mask` marks (`[batch,
    /// sequence]` integers), as sentence-transformers pools: `[batch, width]`.
    public mutating func maskedMean(_ hidden: Graph.Value, mask: Graph.Value) -> Graph.Value {
        let present = node(Cast(target: .float), [mask])
        let weights = node(Reshape(shape: [0, -1, 1]), [present])
        let sum = node(ReduceSum(axes: [1], keepsDimensions: false), [node(Mul(), [hidden, weights])], name: "pooling.sum")
        let count = node(ReduceSum(axes: [1], keepsDimensions: true), [present], name: "pooling.count")
        let floor = parameter("pooling.floor", Tensor(shape: [1], elements: [1e-9]), kind: .constant)
        return node(Div(), [sum, node(Max(), [count, floor])], name: "pooling.mean")
    }

    /// Adds `x` (`[batch, width]`) divided by its Euclidean norm (at least 1e-12), row by row.
    public mutating func l2Normalized(_ x: Graph.Value) -> Graph.Value {
        let squares = node(ReduceSum(axes: [1], keepsDimensions: true), [node(Mul(), [x, x])])
        let floor = parameter("normalize.floor", Tensor(shape: [1], elements: [1e-12]), kind: .constant)
        return node(Div(), [x, node(Max(), [node(Sqrt(), [squares]), floor])], name: "normalize")
    }
}
