import EmbeddingStore
import NeuralNetworks

/// Word vectors are the read-only row source of a frozen embedding bag.
extension WordEmbeddings: RowSource {}
