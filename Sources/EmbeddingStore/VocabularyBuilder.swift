/// Collects words in file order into a `Vocabulary`, detecting duplicates as they come.
///
/// Duplicate policy (the same as gensim's): the first occurrence keeps its index; later ones are
/// reported by `insert` returning nil and counted in `duplicateCount`, and their rows are dropped.
struct VocabularyBuilder {
    private var bytes: [UInt8] = []
    private var offsets: [UInt64] = [0]
    private var table: [UInt32]
    private(set) var duplicateCount = 0

    init(expectedCount: Int = 0) {
        table = [UInt32](repeating: 0, count: WordHash.tableSize(for: expectedCount))
        offsets.reserveCapacity(expectedCount + 1)
    }

    var count: Int { offsets.count - 1 }

    /// Adds `word` as the next index; returns that index, or nil for a duplicate (not added).
    mutating func insert(_ word: UnsafeRawBufferPointer) -> Int? {
        precondition(count < Int(UInt32.max - 1), "Vocabulary: too many words")
        if 2 * (count + 1) > table.count { grow() }
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: WordHash.hash(word)) & mask
        while table[slot] != 0 {
            let existing = Int(table[slot] - 1)
            let start = Int(offsets[existing]), end = Int(offsets[existing + 1])
            if bytes[start..<end].elementsEqual(word) {
                duplicateCount += 1
                return nil
            }
            slot = (slot + 1) & mask
        }
        let index = count
        table[slot] = UInt32(index + 1)
        bytes.append(contentsOf: word)
        offsets.append(UInt64(bytes.count))
        return index
    }

    /// The finished vocabulary.
    func build() -> Vocabulary {
        Vocabulary(storage: VocabularyStorage(owning: Self.copy(bytes), offsets: Self.copy(offsets),
                                              table: Self.copy(table)))
    }

    private static func copy<T>(_ array: [T]) -> UnsafeMutableBufferPointer<T> {
        let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: max(1, array.count))
        _ = buffer.initialize(fromContentsOf: array)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<array.count])
    }

    private mutating func grow() {
        table = [UInt32](repeating: 0, count: table.count * 2)
        let mask = table.count - 1
        for index in 0..<count {
            let start = Int(offsets[index]), end = Int(offsets[index + 1])
            var slot = bytes[start..<end].withUnsafeBytes { Int(truncatingIfNeeded: WordHash.hash($0)) } & mask
            while table[slot] != 0 { slot = (slot + 1) & mask }
            table[slot] = UInt32(index + 1)
        }
    }
}
