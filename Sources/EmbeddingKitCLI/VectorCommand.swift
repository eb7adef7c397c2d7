import ArgumentParser
import EmbeddingStore

/// `embkit vector --embeddings FILE [WORD...]`: print word vectors like fastText's
/// `print-word-vectors`.
struct VectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vector",
        abstract: "Print `word v1 … vD` for each word (words from stdin, one per line, when none are given).",
        discussion: "Values are the shortest decimals that read back to the same float32. "
            + "An unknown word is reported (stderr, or an \"error\" field with --json) and the exit code is 1; "
            + "the other words are still printed.")

    @Option(help: "The vector file.")
    var embeddings: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Argument(help: "Words to look up.")
    var words: [String] = []

    @Flag(help: "Print one sentence vector per stdin line instead (as `fasttext print-sentence-vectors`).")
    var sentences = false

    @Flag(help: "Print one JSON object per word: {\"word\": …, \"vector\": [...]}.")
    var json = false

    func validate() throws {
        if sentences && json { throw ValidationError("--json prints word vectors; it does not go with --sentences") }
    }

    func run() throws {
        if sentences { return try printSentenceVectors() }
        let table = try fileOptions.load(embeddings)
        var output = StandardOutput()
        var unknown = 0
        func emit(_ word: String) {
            guard let vector = table.vector(for: word) else {
                unknown += 1
                if json {
                    output.write(JSONValue.object([("word", .string(word)), ("error", .string("unknown word"))]).rendered + "\n")
                } else {
                    output.flush()
                    StandardError.print("embkit: unknown word '\(word)'")
                }
                return
            }
            if json {
                output.write(JSONValue.object([("word", .string(word)), ("vector", .array(vector.map(JSONValue.float)))]).rendered + "\n")
                return
            }
            output.write(word)
            for value in vector { output.write(" " + value.description) }
            output.write("\n")
        }
        if words.isEmpty {
            while let line = readLine() {
                for word in line.split(whereSeparator: { $0 == " " || $0 == "\t" }) { emit(String(word)) }
            }
        } else {
            words.forEach(emit)
        }
        output.flush()
        if unknown > 0 { throw ExitCode.failure }
    }

    /// One vector per stdin line: a supervised fastText model's hidden layer, or the mean of the
    /// unit word vectors for every other file.
    private func printSentenceVectors() throws {
        let vectorOf: (String) -> [Float]
        if let classifier = try? FastTextSupervisedModel(contentsOf: embeddings) {
            vectorOf = classifier.sentenceVector
        } else {
            let table = try fileOptions.load(embeddings)
            vectorOf = table.sentenceVector
        }
        var output = StandardOutput()
        while let line = readLine() {
            output.write(vectorOf(line).map(\.description).joined(separator: " ") + "\n")
        }
        output.flush()
    }
}
