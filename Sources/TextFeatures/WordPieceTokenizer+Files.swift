import Foundation

extension WordPieceTokenizer {
    /// The tokenizer a model ships: `path` is a model folder, its `tokenizer.json` (Hugging Face
    /// `tokenizers`: a WordPiece model with BERT normalisation and pre-tokenization) or its
    /// `vocab.txt` (one token per line, read with `tokenizer_config.json` beside it when there is one).
    /// A folder is read through its `tokenizer.json` when it has one.
    /// - Throws: `TokenizerFileError` naming the file and the field or line: an unreadable file, a
    ///   tokenizer of another kind (BPE, Unigram, other normalisers), a vocabulary with repeated
    ///   tokens or ids, special tokens it lacks.
    public init(contentsOf path: String) throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw TokenizerFileError(path: path, place: nil, message: "no such file or folder")
        }
        if isFolder.boolValue {
            let json = (path as NSString).appendingPathComponent("tokenizer.json")
            if FileManager.default.fileExists(atPath: json) {
                try self.init(tokenizerJSON: json)
                return
            }
            let vocabulary = (path as NSString).appendingPathComponent("vocab.txt")
            guard FileManager.default.fileExists(atPath: vocabulary) else {
                throw TokenizerFileError(path: path, place: nil, message: "the folder has neither tokenizer.json nor vocab.txt")
            }
            try self.init(vocabularyFile: vocabulary)
        } else if path.hasSuffix(".txt") {
            try self.init(vocabularyFile: path)
        } else {
            try self.init(tokenizerJSON: path)
        }
    }

    /// From a Hugging Face `tokenizer.json`.
    private init(tokenizerJSON path: String) throws {
        func failure(_ place: String?, _ message: String) -> TokenizerFileError { TokenizerFileError(path: path, place: place, message: message) }
        let root = try Self.jsonObject(at: path)
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece" else {
            throw failure("model", "the model is \((root["model"] as? [String: Any])?["type"] ?? "missing"), not WordPiece")
        }
        guard let entries = model["vocab"] as? [String: Any], !entries.isEmpty else { throw failure("model.vocab", "the vocabulary is missing or empty") }
        var byID: [Int: String] = [:]
        for (token, value) in entries {
            guard let id = (value as? NSNumber)?.intValue, id >= 0, id < 1 << 24 else { throw failure("model.vocab", "token '\(token)' has id \(value)") }
            guard byID.updateValue(token, forKey: id) == nil else { throw failure("model.vocab", "id \(id) is given twice") }
        }
        var specials: [String] = []
        for (position, entry) in ((root["added_tokens"] as? [[String: Any]]) ?? []).enumerated() {
            guard let content = entry["content"] as? String, let id = (entry["id"] as? NSNumber)?.intValue, id >= 0, id < 1 << 24,
                  byID[id] == nil || byID[id] == content else {
                throw failure("added_tokens[\(position)]", "expected a token with its content and a free or matching id")
            }
            byID[id] = content
            specials.append(content)
        }
        var vocabulary = [String](repeating: "", count: (byID.keys.max() ?? -1) + 1)
        for (id, token) in byID { vocabulary[id] = token }

        var normalization = Normalization(lowercases: false, stripsAccents: false, separatesChineseCharacters: false, cleansText: false)
        if let normalizer = root["normalizer"] as? [String: Any] {
            guard normalizer["type"] as? String == "BertNormalizer" else {
                throw failure("normalizer", "normaliser \(normalizer["type"] ?? "?") is not supported (BertNormalizer is)")
            }
            normalization = Normalization(lowercases: normalizer["lowercase"] as? Bool ?? true, stripsAccents: normalizer["strip_accents"] as? Bool,
                                          separatesChineseCharacters: normalizer["handle_chinese_chars"] as? Bool ?? true,
                                          cleansText: normalizer["clean_text"] as? Bool ?? true)
        }
        guard (root["pre_tokenizer"] as? [String: Any])?["type"] as? String == "BertPreTokenizer" else {
            throw failure("pre_tokenizer", "pre-tokenizer \((root["pre_tokenizer"] as? [String: Any])?["type"] ?? "none") is not supported (BertPreTokenizer is)")
        }
        let (prefix, suffix) = try Self.template(root["post_processor"], path: path)
        let truncation = ((root["truncation"] as? [String: Any])?["max_length"] as? NSNumber)?.intValue
        let padding = (root["padding"] as? [String: Any])?["pad_token"] as? String
        do {
            try self.init(vocabulary: vocabulary, normalization: normalization, unknownToken: model["unk_token"] as? String ?? "[UNK]",
                          paddingToken: padding ?? "[PAD]", prefix: prefix, suffix: suffix, specialTokens: specials,
                          continuingPrefix: model["continuing_subword_prefix"] as? String ?? "##",
                          maximumCharactersPerWord: (model["max_input_chars_per_word"] as? NSNumber)?.intValue ?? 100,
                          maximumLength: truncation ?? 512)
        } catch let error as TokenizerFileError {
            throw failure(nil, error.message)
        }
    }

    /// The tokens a post-processor writes before and after a single sequence.
    private static func template(_ value: Any?, path: String) throws -> (prefix: [String], suffix: [String]) {
        guard let processor = value as? [String: Any] else { return ([], []) }
        func failure(_ message: String) -> TokenizerFileError { TokenizerFileError(path: path, place: "post_processor", message: message) }
        switch processor["type"] as? String {
        case "BertProcessing"?:
            guard let cls = (processor["cls"] as? [Any])?.first as? String, let sep = (processor["sep"] as? [Any])?.first as? String else {
                throw failure("BertProcessing needs cls and sep")
            }
            return ([cls], [sep])
        case "TemplateProcessing"?:
            guard let single = processor["single"] as? [[String: Any]] else { throw failure("TemplateProcessing needs a single template") }
            var prefix: [String] = [], suffix: [String] = [], seenSequence = false
            for item in single {
                if item["Sequence"] != nil {
                    guard !seenSequence else { throw failure("the single template holds two sequences") }
                    seenSequence = true
                } else if let special = (item["SpecialToken"] as? [String: Any])?["id"] as? String {
                    if seenSequence { suffix.append(special) } else { prefix.append(special) }
                } else {
                    throw failure("a template item is neither a sequence nor a special token")
                }
            }
            guard seenSequence else { throw failure("the single template holds no sequence") }
            return (prefix, suffix)
        default:
            throw failure("post-processor \(processor["type"] ?? "?") is not supported (TemplateProcessing and BertProcessing are)")
        }
    }

    /// From a BERT `vocab.txt`, with the settings of `tokenizer_config.json` beside it when present.
    private init(vocabularyFile path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerFileError(path: path, place: nil, message: "cannot be read") }
        guard let text = String(data: data, encoding: .utf8) else { throw TokenizerFileError(path: path, place: nil, message: "is not UTF-8 text") }
        var vocabulary = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if vocabulary.last == "" { vocabulary.removeLast() }
        let configurationPath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent("tokenizer_config.json")
        let configuration = FileManager.default.fileExists(atPath: configurationPath) ? try Self.jsonObject(at: configurationPath) : [:]
        /// A special token, written as a string or as `{"content": …}`.
        func token(_ key: String, _ fallback: String) -> String {
            (configuration[key] as? String) ?? ((configuration[key] as? [String: Any])?["content"] as? String) ?? fallback
        }
        let longest = (configuration["model_max_length"] as? NSNumber)?.doubleValue ?? 512
        let (unknown, cls, sep, pad) = (token("unk_token", "[UNK]"), token("cls_token", "[CLS]"), token("sep_token", "[SEP]"), token("pad_token", "[PAD]"))
        let normalization = Normalization(lowercases: configuration["do_lower_case"] as? Bool ?? true, stripsAccents: configuration["strip_accents"] as? Bool,
                                          separatesChineseCharacters: configuration["tokenize_chinese_chars"] as? Bool ?? true)
        do {
            try self.init(vocabulary: vocabulary, normalization: normalization, unknownToken: unknown, paddingToken: pad, prefix: [cls], suffix: [sep],
                          specialTokens: [token("mask_token", "")].filter { vocabulary.contains($0) },
                          maximumLength: longest >= 3 && longest <= Double(1 << 20) ? Int(longest) : 512)
        } catch let error as TokenizerFileError {
            throw TokenizerFileError(path: path, place: nil, message: error.message)
        }
    }

    /// The JSON object at `path`.
    private static func jsonObject(at path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerFileError(path: path, place: nil, message: "cannot be read") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw TokenizerFileError(path: path, place: nil, message: "is not a JSON object")
        }
        return object
    }
}
