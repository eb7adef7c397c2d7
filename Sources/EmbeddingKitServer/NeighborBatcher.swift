import EmbeddingStore

/// Gathers concurrent neighbour queries on one vector table into batches: while a scan runs,
/// new queries wait, and the next scan answers all of them in one pass over the rows (one matrix
/// product instead of one pass per query). A lone query is scanned at once.
actor NeighborBatcher {
    private struct Pending {
        let word: String
        let k: Int
        let continuation: CheckedContinuation<[Neighbor]?, Never>
    }

    private let embeddings: WordEmbeddings
    private let maximumBatch: Int
    private var pending: [Pending] = []
    private var scanning = false

    init(embeddings: WordEmbeddings, maximumBatch: Int = 256) {
        self.embeddings = embeddings
        self.maximumBatch = maximumBatch
    }

    /// The `k` nearest neighbours of `word`, nil when it is unknown.
    func neighbors(of word: String, k: Int) async -> [Neighbor]? {
        await withCheckedContinuation { continuation in
            pending.append(Pending(word: word, k: k, continuation: continuation))
            if !scanning {
                scanning = true
                Task { await self.drain() }
            }
        }
    }

    /// Scans for the waiting queries, batch after batch, until none waits.
    private func drain() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(maximumBatch))
            pending.removeFirst(batch.count)
            let (embeddings, words, k) = (embeddings, batch.map(\.word), batch.map(\.k).max() ?? 1)
            // One pass over the rows for every waiting word (the scan uses every core).
            let answers = await offConcurrencyPool { embeddings.nearestNeighbors(ofWords: words, k: k) }
            for (query, answer) in zip(batch, answers) { query.continuation.resume(returning: answer.map { Array($0.prefix(query.k)) }) }
        }
        scanning = false
    }
}
