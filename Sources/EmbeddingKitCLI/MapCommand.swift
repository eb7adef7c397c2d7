import ArgumentParser
import EmbeddingStore
import Foundation
import Plots

/// `embkit map --embeddings F WORD... --output map.svg`: words at their first two principal components.
struct MapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "map", abstract: "Draw words at the first two principal components of their vectors, as a labelled SVG map.")

    @Option(help: "The vector file.")
    var embeddings: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Option(help: "The SVG file to write.")
    var output: String

    @Argument(help: "The words (at least 2); unknown words are named and left out.")
    var words: [String]

    func validate() throws {
        try validatePlotPath(output)
        if words.count < 2 { throw ValidationError("give at least two words to map") }
    }

    func run() throws {
        let table = try fileOptions.load(embeddings)
        let known = words.filter(table.contains)
        let unknown = words.filter { !table.contains($0) }
        if !unknown.isEmpty { StandardError.print("embkit: unknown word(s) left out: " + unknown.joined(separator: " ")) }
        guard known.count >= 2 else {
            StandardError.print("embkit: fewer than two of the words have a vector; nothing to map")
            throw ExitCode.failure
        }
        let vectors = known.map { table.vector(for: $0)! }
        let title = "\(known.count) words of \(URL(fileURLWithPath: embeddings).lastPathComponent), first two principal components"
        try writePlot(WordMapPlot(words: known, vectors: vectors, title: title).svg, to: output)
    }
}
