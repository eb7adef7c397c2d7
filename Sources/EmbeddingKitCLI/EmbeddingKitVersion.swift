/// The version `embkit --version` prints.
enum EmbeddingKitVersion {
    static let current = "0.1.0"
}
