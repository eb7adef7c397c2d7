import EmbeddingStore
import Foundation
import Testing

/// float16 and int8 native files: what they store, how close their answers are to float32 (gensim's
/// answers on the shipped GloVe subset), exact answers with a float32 copy, and hostile headers.
@Suite("Compact native files (float16, int8)", .serialized)
struct CompactStorageTests {
    static let float32 = SimilarityAgreementTests.embeddings

    /// The shipped GloVe subset written as a native file in `precision`.
    static func compact(_ precision: VectorPrecision, exactCopy: Bool = false) throws -> WordEmbeddings {
        let path = try TestFiles.scratchFolder().appendingPathComponent("glove-\(precision)-\(exactCopy).ekv").path
        try VectorFileWriter.write(float32, to: path, as: .native, precision: precision, exactCopy: exactCopy)
        return try WordEmbeddings(contentsOf: path, options: LoadOptions(verification: .full))
    }

    /// The fraction of float32's top 10 (gensim's golden answers) found in `ours`.
    static func recall(_ ours: [[Neighbor]?], words: [String]) -> Double {
        var found = 0, total = 0
        for (word, answer) in zip(words, ours) {
            let expected = Set(SimilarityGolden.pairs(SimilarityAgreementTests.golden.neighbors[word]!).map(\.word))
            found += expected.intersection((answer ?? []).map(\.word)).count
            total += expected.count
        }
        return Double(found) / Double(total)
    }

    @Test("stored values stay within the precision's rounding; norms are the float32 norms; cosines within the bound",
          arguments: [VectorPrecision.float16, .int8])
    func storedValues(precision: VectorPrecision) throws {
        let compact = try Self.compact(precision)
        #expect(compact.precision == precision && !compact.searchesAreExact && compact.count == Self.float32.count)
        #expect(compact.cosineErrorBound > 0 && compact.cosineErrorBound < (precision == .float16 ? 1e-3 : 0.05))
        for row in stride(from: 0, to: compact.count, by: 97) {
            let original = Self.float32.vector(at: row), stored = compact.vector(at: row)
            let largest = original.map(abs).max()!
            for (value, decoded) in zip(original, stored) {
                let tolerance = precision == .float16 ? abs(value) * 0x1p-11 + 0x1p-25 : largest / 127 / 2 * 1.0001
                #expect(abs(value - decoded) <= tolerance, "row \(row): \(value) stored as \(decoded)")
            }
        }
        // Cosines from the compact rows stay within the file's bound of the float32 cosines.
        for (first, second) in [("king", "queen"), ("paris", "france"), ("good", "bad"), ("one", "two"), ("cat", "economy")] {
            let exact = Self.float32.similarity(first, second)!, approximate = compact.similarity(first, second)!
            #expect(abs(exact - approximate) <= compact.cosineErrorBound * 2, "\(first)–\(second): \(approximate) vs \(exact)")
        }
    }

    @Test("float16: 250 top-10 queries recall ≥ 0.99 of gensim's float32 answers, cosines within 1e-3")
    func float16Searches() throws {
        let compact = try Self.compact(.float16)
        let words = SimilarityAgreementTests.golden.neighbors.keys.sorted()
        let answers = compact.nearestNeighbors(ofWords: words, k: 10)
        #expect(Self.recall(answers, words: words) >= 0.99)
        for (word, answer) in zip(words, answers) {
            for neighbor in answer ?? [] {
                #expect(abs(neighbor.similarity - Self.float32.similarity(word, neighbor.word)!) < 1e-3)
            }
        }
        // One query alone scans the same way as a batch.
        #expect(compact.nearestNeighbors(of: words[0], k: 10)?.map(\.word) == answers[0]?.map(\.word))
    }

    @Test("int8 without a copy: recall@10 ≥ 0.95 against gensim's float32 answers")
    func int8Searches() throws {
        let words = SimilarityAgreementTests.golden.neighbors.keys.sorted()
        #expect(Self.recall(try Self.compact(.int8).nearestNeighbors(ofWords: words, k: 10), words: words) >= 0.95)
    }

    @Test("with a float32 copy, int8 and float16 searches give gensim's answers: neighbours, 3CosAdd and 3CosMul analogies",
          arguments: [VectorPrecision.float16, .int8])
    func exactWithCopy(precision: VectorPrecision) throws {
        let compact = try Self.compact(precision, exactCopy: true)
        #expect(compact.searchesAreExact)
        let agreement = SimilarityAgreementTests()
        let words = SimilarityAgreementTests.golden.neighbors.keys.sorted()
        var bad: [String] = []
        for (word, answer) in zip(words, compact.nearestNeighbors(ofWords: words, k: 10)) {
            if agreement.mismatches(answer, SimilarityGolden.pairs(SimilarityAgreementTests.golden.neighbors[word]!)) > 0 { bad.append(word) }
        }
        for question in SimilarityAgreementTests.golden.analogies.prefix(60) {
            let add = compact.analogy(a: question.a, b: question.b, c: question.c, k: 10, method: .add)
            let mul = compact.analogy(a: question.a, b: question.b, c: question.c, k: 10, method: .multiply)
            if agreement.mismatches(add, SimilarityGolden.pairs(question.add)) > 0 { bad.append("add \(question.a):\(question.b)::\(question.c)") }
            if agreement.mismatches(mul, SimilarityGolden.pairs(question.mul)) > 0 { bad.append("mul \(question.a):\(question.b)::\(question.c)") }
        }
        #expect(bad.isEmpty, "\(bad.count) answers differ: \(bad.prefix(5))")
        // Lookups read the copy: vectors are the float32 ones.
        #expect(compact.vector(for: "king") == Self.float32.vector(for: "king"))
    }

    @Test("a value float16 cannot hold is an error naming the word; non-native formats refuse a compact precision")
    func unstorableValues() throws {
        let text = "3 2\nsmall 1 2\nhuge 1e30 1\nzero 0 0\n"
        let source = try WordEmbeddings(contentsOf: try TestFiles.write(text, named: "huge.vec"))
        let output = try TestFiles.scratchFolder().appendingPathComponent("huge.ekv").path
        #expect { try VectorFileWriter.write(source, to: output, as: .native, precision: .float16) } throws: { error in
            "\(error)".contains("'huge' (row 2)") && "\(error)".contains("65,504")
        }
        #expect(!FileManager.default.fileExists(atPath: output))
        // int8 keeps it (one scale per row), and a zero row stays zero.
        try VectorFileWriter.write(source, to: output, as: .native, precision: .int8)
        let stored = try WordEmbeddings(contentsOf: output)
        #expect(stored.vector(for: "huge")![0] == 1e30 && stored.vector(for: "zero") == [0, 0])
        #expect(throws: EmbeddingFileError.self) {
            try VectorFileWriter.write(source, to: output + ".bin", as: .word2vecBinary, precision: .int8)
        }
    }

    @Test("changed bytes in the row scales or the float32 copy are named; hostile precision fields are refused")
    func damagedCompactFiles() throws {
        let path = try TestFiles.scratchFolder().appendingPathComponent("toy-int8.ekv").path
        try VectorFileWriter.write(try WordEmbeddings(contentsOf: TestFiles.fixture("toy-model.vec")), to: path, as: .native,
                                   precision: .int8, exactCopy: true)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func field(_ offset: Int) -> Int { Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self).littleEndian }) }
        for (offset, section) in [(field(128) + 2, "row scales"), (field(136) + 5, "float32 copy"), (field(72) + 1, "matrix")] {
            var damaged = bytes
            damaged[offset] ^= 0x10
            let error = loadError(try TestFiles.write(damaged, named: "damaged-int8.ekv"), options: LoadOptions(verification: .full))
            #expect(error?.message.contains(section) == true, "\(section): \(String(describing: error))")
        }
        func withHeaderField(_ offset: Int, _ value: [UInt8]) -> [UInt8] {
            var hostile = bytes
            hostile.replaceSubrange(offset..<(offset + value.count), with: value)
            let crc = hostile.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<188])) }
            withUnsafeBytes(of: crc.littleEndian) { hostile.replaceSubrange(188..<192, with: $0) }
            return hostile
        }
        let nan = withUnsafeBytes(of: Float.nan.bitPattern.littleEndian, Array.init)
        let hostile: [(Int, [UInt8], String)] = [
            (120, [7, 0, 0, 0], "unknown value precision 7"), (124, nan, "cosine error bound"),
            (128, withUnsafeBytes(of: UInt64(bytes.count).littleEndian, Array.init), "row scales"),
            (136, withUnsafeBytes(of: UInt64(1 << 62).littleEndian, Array.init), "float32 copy"),
            (120, [0, 0, 0, 0], "float32 file names a separate float32 copy"),
        ]
        for (offset, value, message) in hostile {
            let error = loadError(try TestFiles.write(withHeaderField(offset, value), named: "hostile-int8.ekv"))
            #expect(error?.message.contains(message) == true, "\(message): \(String(describing: error))")
        }
    }

    @Test("a version-2 native file (written by EmbeddingKit before compact files) still opens and verifies")
    func versionTwoOpens() throws {
        let path = TestFiles.fixture("native-v2.ekv")
        let old = try WordEmbeddings(contentsOf: path, options: LoadOptions(verification: .full))
        let text = try WordEmbeddings(contentsOf: TestFiles.fixture("toy-model.vec"))
        #expect(old.precision == .float32 && old.count == text.count)
        for row in 0..<text.count { #expect(old.vector(at: row) == text.vector(at: row)) }
        #expect(try WordEmbeddings.verify(fileAt: path).checkedSections.contains("matrix"))
    }
}
