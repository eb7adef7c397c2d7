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
    /// For pruned models: bucket → row offset after the words, -1 when pruned away (a dense
    /// table: hashing a dictionary per n-gram cost more than the arithmetic).
    private let prunedRows: [Int32]?
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
        prunedRows = pruneIndex.map { index in
            var table = [Int32](repeating: -1, count: max(0, bucket))
            for (from, to) in index where from >= 0 && Int(from) < bucket { table[Int(from)] = to }
            return table
        }
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
        var rows: [Int] = []
        appendNgramRows(of: word, to: &rows)
        return rows
    }

    /// Appends the n-gram rows of `word` to `rows`, hashing each n-gram incrementally from its
    /// start (FNV-1a extends byte by byte).
    func appendNgramRows(of word: [UInt8], to rows: inout [Int]) {
        guard maxn > 0, bucket > 0 else { return }
        let count = word.count + 2
        func byte(_ index: Int) -> UInt8 { index == 0 ? 0x3C : index == count - 1 ? 0x3E : word[index - 1] }
        for start in 0..<count where byte(start) & 0xC0 != 0x80 {
            var hash: UInt32 = 2_166_136_261
            var end = start, length = 0
            while end < count && length < maxn {
                repeat {
                    hash = (hash ^ UInt32(bitPattern: Int32(Int8(bitPattern: byte(end))))) &* 16_777_619
                    end += 1
                } while end < count && byte(end) & 0xC0 == 0x80
                length += 1
                if length >= minn && !(length == 1 && (start == 0 || end == count)),
                   let row = row(ofBucket: Int32(hash % UInt32(bucket))) {
                    rows.append(row)
                }
            }
        }
    }

    func row(ofBucket bucket: Int32) -> Int? {
        guard let prunedRows else { return wordCount + Int(bucket) }
        let row = prunedRows[Int(bucket)]
        return row < 0 ? nil : wordCount + Int(row)
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
