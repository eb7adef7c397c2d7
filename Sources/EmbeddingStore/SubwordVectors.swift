import LinearAlgebra

/// fastText's character n-gram vectors: the rows of a model's input matrix (dense rows used in
/// place in the mapping, or product-quantized), and the hashing that finds a word's n-gram rows.
///
/// A word's n-grams are the substrings of `<word>` of `minn…maxn` Unicode scalars (counted on
/// UTF-8 lead bytes, as fastText does), except `<` and `>` alone; each is hashed with 32-bit
/// FNV-1a over its bytes sign-extended (so non-ASCII words differ from textbook FNV-1a) to row
/// `wordCount + hash % bucket`, remapped through the prune index of pruned models.
///
/// `@unchecked Sendable`: the matrix is read-only and kept alive by `owner` (the mapping).
final class SubwordVectors: @unchecked Sendable {
    let matrix: FastTextMatrix
    let dimensions: Int
    let wordCount: Int
    let bucket: Int
    let minn: Int
    let maxn: Int
    let pruneIndex: [Int32: Int32]?
    private let owner: AnyObject

    init(owner: AnyObject, matrix: FastTextMatrix, wordCount: Int, bucket: Int, minn: Int, maxn: Int,
         pruneIndex: [Int32: Int32]?) {
        self.owner = owner
        self.matrix = matrix
        dimensions = matrix.columns
        self.wordCount = wordCount
        self.bucket = bucket
        self.minn = minn
        self.maxn = maxn
        self.pruneIndex = pruneIndex
    }

    /// fastText's hash of a byte string: FNV-1a with each byte sign-extended.
    static func hash(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var hash: UInt32 = 2_166_136_261
        for byte in bytes {
            hash ^= UInt32(bitPattern: Int32(Int8(bitPattern: byte)))
            hash = hash &* 16_777_619
        }
        return hash
    }

    /// The input-matrix rows of the character n-grams of `word` (its UTF-8 bytes, without `<>`).
    func ngramRows(of word: [UInt8]) -> [Int] {
        guard maxn > 0, bucket > 0 else { return [] }
        let padded = [UInt8(ascii: "<")] + word + [UInt8(ascii: ">")]
        var rows: [Int] = []
        for start in padded.indices where padded[start] & 0xC0 != 0x80 {
            var end = start
            var length = 0
            while end < padded.count && length < maxn {
                end += 1
                while end < padded.count && padded[end] & 0xC0 == 0x80 { end += 1 }
                length += 1
                if length >= minn && !(length == 1 && (start == 0 || end == padded.count)) {
                    if let row = row(ofBucket: Int32(Self.hash(padded[start..<end]) % UInt32(bucket))) { rows.append(row) }
                }
            }
        }
        return rows
    }

    func row(ofBucket bucket: Int32) -> Int? {
        guard let pruneIndex else { return wordCount + Int(bucket) }
        return pruneIndex[bucket].map { wordCount + Int($0) }
    }

    /// The vector of vocabulary word `row`: the mean of its row and its n-gram rows.
    func vector(ofWord word: [UInt8], row: Int, into output: UnsafeMutablePointer<Float>) {
        mean(of: [row] + (word == Array("</s>".utf8) ? [] : ngramRows(of: word)), into: output)
    }

    /// The vector of an unknown word: the mean of its n-gram rows, zeros when it has none.
    func vector(ofUnknownWord word: [UInt8]) -> [Float] {
        var output = [Float](repeating: 0, count: dimensions)
        output.withUnsafeMutableBufferPointer { mean(of: ngramRows(of: word), into: $0.baseAddress!) }
        return output
    }

    private func mean(of rows: [Int], into output: UnsafeMutablePointer<Float>) {
        let vector = UnsafeMutableBufferPointer(start: output, count: dimensions)
        vector.update(repeating: 0)
        for row in rows { matrix.addRow(row, to: vector) }
        if !rows.isEmpty { Kernels.scale(vector, by: 1 / Float(rows.count)) }
    }
}
