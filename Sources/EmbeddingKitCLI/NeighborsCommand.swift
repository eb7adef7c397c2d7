import ArgumentParser
import EmbeddingStore
import Foundation

/// `embkit neighbors`: the most similar words by cosine.
struct NeighborsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "neighbors",
        abstract: "Print the k most similar words (cosine) for each query word.",
        discussion: "Words come from the arguments, else one per line from stdin (answered together in one "
            + "pass), else an interactive prompt when stdin is a terminal. The query word itself is excluded. "
            + "An unknown word is reported (stderr, or an \"error\" field with --json) and the exit code is 1.")

    @Option(help: "The vector file.")
    var embeddings: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Option(name: [.short, .long], parsing: .unconditional, help: "How many neighbours to print.")
    var k = 10

    @Option(parsing: .unconditional, help: "Search only the first N words of the file.")
    var restrictVocab: Int?

    @Flag(help: "Print one JSON object per query (JSON Lines).")
    var json = false

    @Argument(help: "Query words.")
    var words: [String] = []

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if let restrictVocab, restrictVocab < 1 { throw ValidationError("--restrict-vocab must be at least 1") }
    }

    func run() throws {
        let table = try fileOptions.load(embeddings)
        var unknown = 0
        func answer(_ queries: [String]) {
            let results = table.nearestNeighbors(ofWords: queries, k: k, restrictVocabulary: restrictVocab)
            var output = StandardOutput()
            for (query, neighbors) in zip(queries, results) {
                if neighbors == nil { unknown += 1 }
                output.write(render(query: query, neighbors: neighbors) + "\n")
                if neighbors == nil && !json {
                    output.flush()
                    StandardError.print("embkit: unknown word '\(query)'")
                }
            }
            output.flush()
        }
        if !words.isEmpty {
            answer(words)
        } else if isatty(STDIN_FILENO) == 1 {
            while true {
                FileHandle.standardError.write(Data("Query word? ".utf8))
                guard let line = readLine() else { break }
                let query = line.trimmingCharacters(in: .whitespaces)
                if !query.isEmpty { answer([query]) }
            }
        } else {
            var queries: [String] = []
            while let line = readLine() {
                let query = line.trimmingCharacters(in: .whitespaces)
                if !query.isEmpty { queries.append(query) }
            }
            answer(queries)
        }
        if unknown > 0 { throw ExitCode.failure }
    }

    private func render(query: String, neighbors: [Neighbor]?) -> String {
        if json {
            guard let neighbors else {
                return JSONValue.object([("query", .string(query)), ("error", .string("unknown word"))]).rendered
            }
            return JSONValue.object([("query", .string(query)), ("neighbors", NeighborsCommand.json(neighbors))]).rendered
        }
        guard let neighbors else { return query }
        return ([query] + neighbors.map { "  \($0.word) \($0.similarity)" }).joined(separator: "\n")
    }

    /// `[{"word": …, "similarity": …}, …]`.
    static func json(_ neighbors: [Neighbor]) -> JSONValue {
        .array(neighbors.map { .object([("word", .string($0.word)), ("similarity", .float($0.similarity))]) })
    }
}
