import ArgumentParser
import EmbeddingStore

/// `embkit similarity W1 W2`: the cosine similarity of two words.
struct SimilarityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similarity", abstract: "Print the cosine similarity of two words.")

    @Option(help: "The vector file.")
    var embeddings: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Flag(help: "Print a JSON object.")
    var json = false

    @Argument(help: "The first word.")
    var first: String

    @Argument(help: "The second word.")
    var second: String

    func run() throws {
        let table = try fileOptions.load(embeddings)
        guard let similarity = table.similarity(first, second) else {
            let missing = [first, second].filter { !table.contains($0) }.map { "'\($0)'" }.joined(separator: " and ")
            if json {
                print(JSONValue.object([("a", .string(first)), ("b", .string(second)), ("error", .string("unknown word \(missing)"))]).rendered)
            } else {
                StandardError.print("embkit: unknown word \(missing)")
            }
            throw ExitCode.failure
        }
        if json {
            print(JSONValue.object([("a", .string(first)), ("b", .string(second)), ("similarity", .float(similarity))]).rendered)
        } else {
            print(similarity)
        }
    }
}
