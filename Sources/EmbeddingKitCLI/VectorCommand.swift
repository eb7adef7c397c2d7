import ArgumentParser
import EmbeddingStore

/// `embkit vector --embeddings FILE [WORD...]`: print word vectors like fastText's
/// `print-word-vectors`.
struct VectorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vector",
        abstract: "Print `word v1 … vD` for each word (words from stdin, one per line, when none are given).",
        discussion: "Values are the shortest decimals that read back to the same float32. "
            + "An unknown word is reported on stderr and the exit code is 1; the other words are still printed.")

    @Option(help: "The vector file.")
    var embeddings: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Argument(help: "Words to look up.")
    var words: [String] = []

    func run() throws {
        let table = try fileOptions.load(embeddings)
        var output = StandardOutput()
        var unknown = 0
        func emit(_ word: String) {
            guard let vector = table.vector(for: word) else {
                output.flush()
                StandardError.print("embkit: unknown word '\(word)'")
                unknown += 1
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
}
