import EmbeddingStore
import Foundation
import Testing

@Suite("fastText .bin word vectors agree with the fastText CLI")
struct FastTextBinaryTests {
    /// Each line of a golden file: the word and its expected values.
    func golden(_ name: String) throws -> [(word: String, values: [Float])] {
        try String(contentsOfFile: TestFiles.fixture("golden/\(name)"), encoding: .utf8).split(separator: "\n").map { line in
            let fields = line.split(separator: " ")
            return (String(fields[0]), fields.dropFirst().map { Float($0)! })
        }
    }

    /// Checks every golden word (vocabulary and unknown) within `tolerance(expected)`.
    func check(_ model: String, against file: String, tolerance: (Float) -> Float) throws {
        let embeddings = try WordEmbeddings(contentsOf: TestFiles.fixture(model))
        #expect(embeddings.metadata.format == .fasttextBin && embeddings.hasSubwords)
        var unknown = 0
        let expected = try golden(file)
        for (word, values) in expected {
            if !embeddings.contains(word) { unknown += 1 }
            let vector = embeddings.vector(for: word) ?? []
            #expect(vector.count == values.count && zip(vector, values).allSatisfy { abs($0 - $1) <= tolerance($1) },
                    "\(model) '\(word)': \(vector.prefix(3)) vs \(values.prefix(3))")
        }
        #expect(expected.count > 5 && unknown > 0)
    }

    @Test("within 1e-6 of gensim's float32 vectors: vocabulary and unknown words, Cyrillic and CJK, v11, v12 and pre-v11 files",
          arguments: ["toy-model.bin", "crime-and-punishment.bin", "lee_fasttext_new.bin", "non_ascii_fasttext.bin", "lee_fasttext.bin"])
    func matchesGensim(model: String) throws {
        try check(model, against: "\(model).gensim") { _ in 1e-6 }
    }

    @Test("equal to the fastText CLI's print-word-vectors to the digits it prints (5 significant), quantized .ftz included",
          arguments: ["toy-model.bin", "crime-and-punishment.bin", "lee_fasttext_new.bin", "rt_sup.ftz"])
    func matchesFastTextCLI(model: String) throws {
        try check(model, against: "\(model).vectors") { 1e-7 + 5e-5 * abs($0) }
    }

    @Test("words that are not UTF-8 fail strictly with their byte offset and load lossily")
    func cp852() throws {
        let path = TestFiles.fixture("cp852_fasttext.bin")
        let error = loadError(path)
        #expect(error?.kind == .invalidUTF8)
        guard case .byte = error?.location else {
            Issue.record("expected a byte offset, got \(String(describing: error?.location))")
            return
        }
        let lossy = try WordEmbeddings(contentsOf: path, options: LoadOptions(textDecoding: .lossy))
        #expect(lossy.count > 0 && lossy.vocabulary.contains { $0.contains("\u{FFFD}") })
    }

    @Test("a wrong magic, another version, and a file cut anywhere are refused with their byte offset")
    func badFiles() throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestFiles.fixture("toy-model.bin"))))
        var wrongMagic = bytes
        wrongMagic[0] ^= 0xFF
        #expect(loadError(try TestFiles.write(wrongMagic, named: "magic.bin"), options: LoadOptions(format: .fasttextBin))?.kind == .badHeader)
        for tooNewOrOld: UInt8 in [13, 10] {
            var version = bytes
            version[4] = tooNewOrOld
            let versionError = loadError(try TestFiles.write(version, named: "v\(tooNewOrOld).bin"))
            #expect(versionError?.kind == .unsupportedVersion && versionError?.location == .byte(4))
        }
        // A quantized model cut inside its dictionary, codes, product quantizer, norms and output.
        let quantized = [UInt8](try Data(contentsOf: URL(fileURLWithPath: TestFiles.fixture("rt_sup.ftz"))))
        for cut in [100, 20_000, 30_000, 40_000, 50_000, quantized.count - 3] {
            let error = loadError(try TestFiles.write(Array(quantized.prefix(cut)), named: "cut\(cut).ftz"))
            #expect(error?.kind == .truncated, "ftz cut at \(cut): \(String(describing: error))")
            #expect(throws: EmbeddingFileError.self) {
                try FastTextSupervisedModel(contentsOf: try TestFiles.write(Array(quantized.prefix(cut)), named: "c\(cut).ftz"))
            }
        }
        for cut in [6, 30, 70, 200, bytes.count - 500, bytes.count - 10] {
            let error = loadError(try TestFiles.write(Array(bytes.prefix(cut)), named: "cut\(cut).bin"))
            #expect(error?.kind == .truncated, "cut at \(cut): \(String(describing: error))")
        }
    }
}
