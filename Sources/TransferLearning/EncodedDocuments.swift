import NeuralNetworks
import TextFeatures

/// The training examples of a document source, encoded for an embedding bag a chunk at a time
/// as training asks for them: each pass reads the source again, so memory holds one chunk of
/// row ids, not the corpus. When the whole corpus fits in one chunk it is kept after the first
/// pass and never read again.
final class EncodedDocuments: BagExampleSource {
    /// Row ids per chunk at most (32 MiB of ids), and examples per chunk at most.
    static let chunkIDLimit = 1 << 23, chunkExampleLimit = 1 << 20

    let source: any DocumentSource
    let encoder: TextBagEncoder
    let classIndex: [String: Int]
    let classCount: Int
    let count: Int
    /// Documents left out (a validation split), by position in the source.
    let heldOut: HeldOutSelection?
    private let idLimit: Int, exampleLimit: Int
    private var cached: BagExamples?

    /// The examples of the `count` documents of `source` that `heldOut` keeps, labelled by
    /// `labels` (every label of a document must be among them).
    init(source: any DocumentSource, encoder: TextBagEncoder, labels: [String], count: Int, heldOut: HeldOutSelection?,
         idLimit: Int = chunkIDLimit, exampleLimit: Int = chunkExampleLimit) {
        self.source = source
        self.encoder = encoder
        classIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        classCount = labels.count
        self.count = count
        self.heldOut = heldOut
        self.idLimit = idLimit
        self.exampleLimit = exampleLimit
    }

    func forEachChunk(_ body: (BagExamples) throws -> Void) throws {
        if let cached { return try body(cached) }
        var chunk = BagExamples(classCount: classCount), ids: [Int32] = []
        var ordinal = 0, delivered = 0, chunks = 0
        func deliver() throws {
            try body(chunk)
            delivered += chunk.count
            chunks += 1
        }
        try source.forEachDocument { document in
            defer { ordinal += 1 }
            if heldOut?.holdsOut(ordinal) == true { return }
            let classes = try Self.classes(of: document, in: classIndex)
            ids.removeAll(keepingCapacity: true)
            encoder.encode(document.text, into: &ids)
            chunk.append(ids: ids, classes: classes)
            if chunk.ids.count >= idLimit || chunk.count >= exampleLimit {
                try deliver()
                chunk = BagExamples(classCount: classCount)
            }
        }
        if chunk.count > 0 { try deliver() }
        guard delivered == count else { throw TransferError.corpusChanged(path: source.path) }
        if chunks == 1 && chunk.count == count { cached = chunk }
    }

    /// The distinct class indices of `document`'s labels, in order.
    /// - Throws: `TransferError.unknownLabel` for a label outside `classIndex`, or (with an empty
    ///   label) for a document without labels.
    static func classes(of document: LabeledDocument, in classIndex: [String: Int]) throws -> [Int] {
        guard !document.labels.isEmpty else { throw TransferError.unknownLabel("", line: document.line) }
        var classes: [Int] = []
        for label in document.labels {
            guard let index = classIndex[label] else { throw TransferError.unknownLabel(label, line: document.line) }
            if !classes.contains(index) { classes.append(index) }
        }
        return classes
    }

    /// The encoded `documents` (a validation set in memory).
    /// - Throws: `TransferError.unknownLabel` for a label outside `labels`.
    static func examples(_ documents: [LabeledDocument], encoder: TextBagEncoder, labels: [String]) throws -> BagExamples {
        let classIndex = Dictionary(uniqueKeysWithValues: labels.enumerated().map { ($1, $0) })
        var examples = BagExamples(classCount: labels.count), ids: [Int32] = []
        for document in documents {
            ids.removeAll(keepingCapacity: true)
            encoder.encode(document.text, into: &ids)
            examples.append(ids: ids, classes: try classes(of: document, in: classIndex))
        }
        return examples
    }
}
