import ArgumentParser
import EmbeddingStore

extension AnalogyMethod: ExpressibleByArgument {}

/// `embkit analogy A B C`: A is to B as C is to ?
struct AnalogyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analogy", abstract: "Answer \"A is to B as C is to ?\" (the three words excluded).")

    @Option(help: "The vector file.")
    var embeddings: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Option(name: [.short, .long], parsing: .unconditional, help: "How many answers to print.")
    var k = 10

    @Option(help: "add (3CosAdd, gensim most_similar) or mul (3CosMul, gensim most_similar_cosmul).")
    var method: AnalogyMethod = .add

    @Option(parsing: .unconditional, help: "Search only the first N words of the file.")
    var restrictVocab: Int?

    @Flag(help: "Print a JSON object.")
    var json = false

    @Argument(help: ArgumentHelp("A, B and C; without them, one `A B C` question per stdin line "
        + "(fastText's `analogies` asks A − B + C: its `A B C` is `B A C` here)."))
    var words: [String] = []

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if let restrictVocab, restrictVocab < 1 { throw ValidationError("--restrict-vocab must be at least 1") }
        if !words.isEmpty && words.count != 3 { throw ValidationError("give three words A B C, or none to read questions from stdin") }
    }

    func run() throws {
        let table = try fileOptions.load(embeddings)
        if !words.isEmpty {
            guard answer(words[0], words[1], words[2], in: table) else { throw ExitCode.failure }
            return
        }
        var failed = false
        while let line = readLine() {
            let question = line.split(whereSeparator: \.isWhitespace).map(String.init)
            guard !question.isEmpty else { continue }
            guard question.count == 3 else {
                StandardError.print("embkit: expected `A B C`, got \(question.count) word(s): \(line)")
                failed = true
                continue
            }
            if !answer(question[0], question[1], question[2], in: table) { failed = true }
        }
        if failed { throw ExitCode.failure }
    }

    /// Prints the answers to "a is to b as c is to ?"; false (after saying why) when a word is unknown.
    private func answer(_ a: String, _ b: String, _ c: String, in table: WordEmbeddings) -> Bool {
        guard let results = table.analogy(a: a, b: b, c: c, k: k, method: method, restrictVocabulary: restrictVocab) else {
            let missing = [a, b, c].filter { !table.contains($0) }.map { "'\($0)'" }.joined(separator: ", ")
            if json {
                print(JSONValue.object([("a", .string(a)), ("b", .string(b)), ("c", .string(c)),
                                        ("error", .string("unknown word \(missing)"))]).rendered)
            } else {
                StandardError.print("embkit: unknown word \(missing)")
            }
            return false
        }
        if json {
            print(JSONValue.object([("a", .string(a)), ("b", .string(b)), ("c", .string(c)),
                                    ("method", .string(method.rawValue)), ("results", NeighborsCommand.json(results))]).rendered)
        } else {
            for result in results { print("\(result.word) \(result.similarity)") }
        }
        return true
    }
}
