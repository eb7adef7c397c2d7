/// Training examples for a bag network, handed out a chunk at a time so that a corpus larger
/// than memory can train: every pass (one epoch) delivers each example once, in chunks of the
/// same order; training shuffles the examples within each chunk.
public protocol BagExampleSource {
    /// The number of classes.
    var classCount: Int { get }
    /// The number of examples in one pass.
    var count: Int { get }
    /// Calls `body` with consecutive chunks that together hold every example once.
    /// - Throws: what reading the examples throws (a file that changed or went away), and what
    ///   `body` throws.
    func forEachChunk(_ body: (BagExamples) throws -> Void) throws
}

extension BagExamples: BagExampleSource {
    /// All the examples, as one chunk.
    public func forEachChunk(_ body: (BagExamples) throws -> Void) throws {
        try body(self)
    }
}
