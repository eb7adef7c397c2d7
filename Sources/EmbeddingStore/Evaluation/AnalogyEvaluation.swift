import Foundation
import LinearAlgebra

/// Word-analogy accuracy on a `questions-words.txt`-style file, computed as gensim's
/// `evaluate_word_analogies` does: case-insensitive, only the first `restrictVocabulary` words,
/// 3CosAdd over the top 5 with the question words ignored, questions with unknown words skipped.
public struct AnalogyEvaluation: Sendable, Codable {
    /// The score of one `: section` of the file.
    public struct Section: Sendable, Codable {
        /// The section name (the header without `: `).
        public let name: String
        /// Questions answered correctly.
        public let correct: Int
        /// Questions evaluated (all four words known).
        public let total: Int
        /// `correct / total` (0 for an empty section).
        public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }
    }

    /// Questions answered correctly, over all sections.
    public let correct: Int
    /// Questions evaluated.
    public let total: Int
    /// Questions skipped because a word is outside the searched vocabulary.
    public let skipped: Int
    /// Lines that are neither a section header nor four words (skipped, as gensim does).
    public let invalidLines: Int
    /// Per-section results in file order.
    public let sections: [Section]
    /// `correct / total`.
    public var accuracy: Double { total == 0 ? 0 : Double(correct) / Double(total) }

    /// Evaluates `embeddings` on the analogy file at `path`.
    /// - Parameters:
    ///   - embeddings: the vectors evaluated.
    ///   - path: the questions in word2vec's `questions-words.txt` layout (`: section` lines, then four words a line).
    ///   - parallelism: the cores the batched scans use.
    ///   - restrictVocabulary: only the first N words are known and searched (gensim: 300,000).
    ///   - method: 3CosAdd (gensim's choice) or 3CosMul.
    /// - Throws: `EmbeddingFileError` when the file cannot be read, is not UTF-8, or has a question
    ///   before the first section header.
    /// - Complexity: one batched scan of the first `restrictVocabulary` rows per 256 questions.
    public init(embeddings: WordEmbeddings, questionsAt path: String, restrictVocabulary: Int = 300_000,
                method: AnalogyMethod = .add, parallelism: Parallelism = .available) throws {
        let lines = try EvaluationFile.lines(of: path)
        let known = EvaluationFile.uppercasedIndex(embeddings, restrictVocabulary: restrictVocabulary)
        var questions: [(section: Int, rows: (Int, Int, Int), expected: String, ignored: Set<String>)] = []
        var sectionNames: [String] = []
        var skipped = 0, invalid = 0
        for (number, line) in lines.enumerated() {
            if line.hasPrefix(": ") {
                sectionNames.append(line.drop { $0 == ":" || $0 == " " }.trimmingCharacters(in: .whitespaces))
                continue
            }
            guard !sectionNames.isEmpty else {
                throw EmbeddingFileError(path: path, location: .line(number + 1), kind: .badHeader,
                                         message: "a question before the first `: section` header")
            }
            let words = line.split(whereSeparator: \.isWhitespace).map { $0.uppercased() }
            guard words.count == 4 else {
                invalid += 1
                continue
            }
            guard let a = known[words[0]], let b = known[words[1]], let c = known[words[2]], known[words[3]] != nil else {
                skipped += 1
                continue
            }
            questions.append((sectionNames.count - 1, (a, b, c), words[3], Set(words[0...2])))
        }
        let limit = min(embeddings.count, restrictVocabulary)
        let queries = questions.map { embeddings.analogyQuery(a: $0.rows.0, b: $0.rows.1, c: $0.rows.2, method: method) }
        let answers = embeddings.search(queries, k: 5, restrictVocabulary: limit, parallelism: parallelism)
        var correctBySection = [Int](repeating: 0, count: sectionNames.count)
        var totalBySection = [Int](repeating: 0, count: sectionNames.count)
        for (question, answer) in zip(questions, answers) {
            // gensim takes the first answer that is not a question word in another case.
            var predicted: String?
            for neighbor in answer {
                predicted = neighbor.word.uppercased()
                if !question.ignored.contains(predicted!) { break }
            }
            totalBySection[question.section] += 1
            if predicted == question.expected { correctBySection[question.section] += 1 }
        }
        sections = sectionNames.indices.map {
            Section(name: sectionNames[$0], correct: correctBySection[$0], total: totalBySection[$0])
        }
        correct = correctBySection.reduce(0, +)
        total = totalBySection.reduce(0, +)
        self.skipped = skipped
        invalidLines = invalid
    }
}

/// Reading helpers shared by the evaluations.
enum EvaluationFile {
    /// The lines of a UTF-8 text file (without line endings).
    static func lines(of path: String) throws -> [String] {
        try UTF8Validation.text(ofFileAt: path)
            .split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }.map(String.init)
    }

    /// Uppercased word → its first row among the first `restrictVocabulary` (gensim's `ok_vocab`).
    static func uppercasedIndex(_ embeddings: WordEmbeddings, restrictVocabulary: Int) -> [String: Int] {
        var index: [String: Int] = [:]
        for row in (0..<min(embeddings.count, restrictVocabulary)).reversed() {
            index[embeddings.vocabulary.word(at: row).uppercased()] = row
        }
        return index
    }
}
