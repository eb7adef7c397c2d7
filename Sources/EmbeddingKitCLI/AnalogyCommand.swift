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

    @Argument(help: "A.") var a: String
    @Argument(help: "B.") var b: String
    @Argument(help: "C.") var c: String

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if let restrictVocab, restrictVocab < 1 { throw ValidationError("--restrict-vocab must be at least 1") }
    }

    func run() throws {
        let table = try fileOptions.load(embeddings)
        guard let results = table.analogy(a: a, b: b, c: c, k: k, method: method, restrictVocabulary: restrictVocab) else {
            let missing = [a, b, c].filter { !table.contains($0) }.map { "'\($0)'" }.joined(separator: ", ")
            StandardError.print("embkit: unknown word \(missing)")
            throw ExitCode.failure
        }
        if json {
            print(JSONValue.object([("a", .string(a)), ("b", .string(b)), ("c", .string(c)),
                                    ("method", .string(method.rawValue)), ("results", NeighborsCommand.json(results))]).rendered)
        } else {
            for result in results { print("\(result.word) \(result.similarity)") }
        }
    }
}
