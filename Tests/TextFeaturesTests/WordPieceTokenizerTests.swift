import Foundation
import LinearAlgebra
import Testing
import TextFeatures

/// all-MiniLM-L6-v2's tokenizer files and Hugging Face `tokenizers`' ids for 2,100 lines
/// (`Fixtures/wordpiece/make_wordpiece_goldens.py`).
private let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("wordpiece").path

private struct Golden: Decodable {
    let text: String
    let ids: [Int32]
}

/// The lines of a golden file after its header.
private func goldens(_ name: String) -> [Golden] {
    let lines = (try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8))?.split(separator: "\n").dropFirst() ?? []
    return lines.compactMap { try? JSONDecoder().decode(Golden.self, from: Data($0.utf8)) }
}

/// The lines that differ from the golden ids, described.
private func mismatches(_ tokenizer: WordPieceTokenizer, _ goldens: [Golden]) -> [String] {
    goldens.compactMap { golden in
        // vocab.txt carries no truncation: the goldens' 128 is given per call.
        let ids = tokenizer.encode(golden.text, maximumLength: 128)
        return ids == golden.ids ? nil : "\(golden.text.debugDescription): \(ids) ≠ \(golden.ids)"
    }
}

@Suite("WordPiece tokenization as Hugging Face tokenizers does it")
struct WordPieceTokenizerTests {
    @Test("tokenizer.json and vocab.txt + tokenizer_config.json give tokenizers' ids on 2,100 lines (reviews, every script, emoji, controls, special tokens in text, long words, empty lines)",
          arguments: ["tokenizer.json", "vocab.txt"])
    func idsEqualHuggingFace(_ file: String) throws {
        let lines = goldens("wordpiece_goldens.jsonl")
        #expect(lines.count == 2_100)
        let differing = mismatches(try WordPieceTokenizer(contentsOf: "\(folder)/\(file)"), lines)
        #expect(differing.isEmpty, "\(differing.count) lines differ, first: \(differing.prefix(5).joined(separator: "\n"))")
    }

    @Test("with case and accents kept (a cased model's normaliser; canonically equivalent spellings stay apart), the same ids as tokenizers on 600 lines")
    func casedIdsEqualHuggingFace() throws {
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/tokenizer.json"))) as! [String: Any]
        object["normalizer"] = ["type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true, "strip_accents": false, "lowercase": false]
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("cased-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: object).write(to: path)
        defer { try? FileManager.default.removeItem(at: path) }
        let lines = goldens("wordpiece_goldens_cased.jsonl")
        #expect(lines.count == 600)
        let differing = mismatches(try WordPieceTokenizer(contentsOf: path.path), lines)
        #expect(differing.isEmpty, "\(differing.count) lines differ, first: \(differing.prefix(5).joined(separator: "\n"))")
    }

    @Test("a folder reads its tokenizer.json; its truncation, [PAD] and the batch layout follow the file")
    func batchOfSentences() throws {
        let tokenizer = try WordPieceTokenizer(contentsOf: folder)
        #expect(tokenizer.maximumLength == 128 && tokenizer.prefixIDs == [101] && tokenizer.suffixIDs == [102] && tokenizer.paddingID == 0)
        let long = String(repeating: "word ", count: 300)
        #expect(tokenizer.encode(long).count == 128 && tokenizer.encode(long).last == 102)
        let (ids, mask, types) = tokenizer.batch(["Dull.", "A gripping, beautifully shot film."])
        #expect(ids.shape == [2, 9] && ids.integers.prefix(9) == [101, 10634, 1012, 102, 0, 0, 0, 0, 0])
        #expect(mask.integers == [1, 1, 1, 1, 0, 0, 0, 0, 0] + [Int32](repeating: 1, count: 9))
        #expect(types.integers.allSatisfy { $0 == 0 })
    }

    @Test("damaged or foreign tokenizer files are refused naming the file and the field")
    func hostileFiles() throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("wordpiece-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let original = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/tokenizer.json"))) as! [String: Any]
        func refused(_ change: (inout [String: Any]) -> Void, saying expected: String) throws {
            var object = original
            change(&object)
            let path = scratch.appendingPathComponent("tokenizer.json").path
            try JSONSerialization.data(withJSONObject: object).write(to: URL(fileURLWithPath: path))
            #expect {
                _ = try WordPieceTokenizer(contentsOf: path)
            } throws: { error in
                "\(error)".hasPrefix(path) && "\(error)".contains(expected)
            }
        }
        try refused({ $0["model"] = ["type": "BPE"] }, saying: "model: the model is BPE, not WordPiece")
        try refused({ object in
            var model = object["model"] as! [String: Any]
            model["unk_token"] = "[UNKNOWN]"
            object["model"] = model
        }, saying: "the vocabulary has no '[UNKNOWN]'")
        try refused({ object in
            var model = object["model"] as! [String: Any], vocabulary = model["vocab"] as! [String: Any]
            vocabulary["extra"] = 1996
            model["vocab"] = vocabulary
            object["model"] = model
        }, saying: "model.vocab: id 1996 is given twice")
        try refused({ $0["pre_tokenizer"] = ["type": "Metaspace"] }, saying: "pre-tokenizer Metaspace is not supported")
        try refused({ $0["normalizer"] = ["type": "NFKC"] }, saying: "normaliser NFKC is not supported")
        let notJSON = scratch.appendingPathComponent("broken.json").path
        try Data("{\"model\": ".utf8).write(to: URL(fileURLWithPath: notJSON))
        #expect(throws: TokenizerFileError.self) { _ = try WordPieceTokenizer(contentsOf: notJSON) }
        #expect(throws: TokenizerFileError.self) { _ = try WordPieceTokenizer(contentsOf: scratch.path) }
    }
}
