import Foundation

/// The words of an embedding file: index ↔ word in O(1), stored as one UTF-8 blob with a prebuilt
/// open-addressing hash index, so it can be mapped from a native file without parsing.
public struct Vocabulary: Sendable {
    /// How a lookup treats case.
    public enum CaseMatching: Sendable, Hashable {
        /// Only the exact word matches.
        case exact
        /// The exact word, or else its lowercased form (useful for all-lowercase files like GloVe).
        case lowercasedFallback
    }

    let storage: VocabularyStorage

    /// The number of words.
    public var count: Int { storage.offsets.count - 1 }

    /// The index of `word`, or nil when it is not in the vocabulary.
    /// - Complexity: O(length of word) expected.
    public func index(of word: String, matching: CaseMatching = .exact) -> Int? {
        if let index = exactIndex(of: word) { return index }
        guard matching == .lowercasedFallback else { return nil }
        let lowered = word.lowercased()
        return lowered == word ? nil : exactIndex(of: lowered)
    }

    /// Whether `word` is in the vocabulary (exact match).
    public func contains(_ word: String) -> Bool { index(of: word) != nil }

    /// The word at `index`.
    /// - Precondition: `0 <= index < count`.
    public func word(at index: Int) -> String {
        String(decoding: wordBytes(at: index), as: UTF8.self)
    }

    /// The UTF-8 bytes of the word at `index`, without copying.
    /// - Precondition: `0 <= index < count`.
    public func wordBytes(at index: Int) -> UnsafeBufferPointer<UInt8> {
        precondition(index >= 0 && index < count, "Vocabulary index \(index) out of range 0..<\(count)")
        let start = Int(storage.offsets[index]), end = Int(storage.offsets[index + 1])
        return UnsafeBufferPointer(rebasing: storage.bytes[start..<end])
    }

    /// The index of the word with these UTF-8 bytes, or nil.
    /// - Complexity: O(bytes.count) expected.
    public func index(ofUTF8 bytes: UnsafeRawBufferPointer) -> Int? {
        let table = storage.table
        let mask = table.count - 1
        var slot = Int(truncatingIfNeeded: WordHash.hash(bytes)) & mask
        while true {
            let entry = table[slot]
            if entry == 0 { return nil }
            let candidate = Int(entry - 1)
            let start = Int(storage.offsets[candidate]), length = Int(storage.offsets[candidate + 1]) - start
            if length == bytes.count && (length == 0 || memcmp(storage.bytes.baseAddress! + start, bytes.baseAddress!, length) == 0) {
                return candidate
            }
            slot = (slot + 1) & mask
        }
    }

    private func exactIndex(of word: String) -> Int? {
        var word = word
        return word.withUTF8 { index(ofUTF8: UnsafeRawBufferPointer($0)) }
    }
}

extension Vocabulary: RandomAccessCollection {
    /// 0.
    public var startIndex: Int { 0 }
    /// The word count.
    public var endIndex: Int { count }
    /// The word at `position`.
    public subscript(position: Int) -> String { word(at: position) }
}

extension Vocabulary {
    /// A vocabulary of `words` in this order; a repeated word keeps its first index.
    /// - Complexity: O(total bytes) expected.
    public init(words: some Sequence<String>) {
        var builder = VocabularyBuilder()
        for var word in words { _ = word.withUTF8 { builder.insert(UnsafeRawBufferPointer($0)) } }
        self = builder.build()
    }
}
