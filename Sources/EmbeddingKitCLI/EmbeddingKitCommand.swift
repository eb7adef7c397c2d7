import ArgumentParser

/// `embkit`: the command-line face of EmbeddingKit.
@main
struct EmbeddingKitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embkit",
        abstract: "Transfer learning with pre-trained word embeddings and ConvNets.",
        discussion: """
            Reads word2vec, GloVe and fastText vector files, answers nearest-neighbour and analogy \
            queries, and trains text classifiers on embedding features. Results go to stdout, \
            messages to stderr.
            """,
        version: EmbeddingKitVersion.current,
        subcommands: [InfoCommand.self, ConvertCommand.self, VectorCommand.self, NeighborsCommand.self,
                      SimilarityCommand.self, AnalogyCommand.self, EvaluateCommand.self,
                      TrainCommand.self, TestCommand.self, PredictCommand.self, ImageCommand.self, ExportCommand.self]
    )
}
