import EmbeddingStore
import NeuralNetworks

/// Word vectors are the read-only row source of a frozen embedding bag: their rows live in a
/// mapping or in storage the value shares, so an address stays valid while the value lives.
extension WordEmbeddings: RowSource {
    /// The address of row `index` (see `persistentRowAddress(at:)`).
    public func rowAddress(at index: Int) -> UnsafeRawPointer { persistentRowAddress(at: index) }
}
