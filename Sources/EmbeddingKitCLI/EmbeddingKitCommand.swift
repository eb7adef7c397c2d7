import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

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
                      TrainCommand.self, TestCommand.self, PredictCommand.self, ImageCommand.self, ExportCommand.self, VerifyCommand.self]
    )

    /// Runs the command with SIGINT and SIGTERM unblocked: a parent may hand down a signal mask
    /// that blocks them (a thread pool's), and an interrupted `embkit` must still stop and remove
    /// its temporary files.
    static func main() {
        #if canImport(Glibc)
        var signals = sigset_t()
        sigemptyset(&signals)
        sigaddset(&signals, SIGINT)
        sigaddset(&signals, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &signals, nil)
        #endif
        main(nil)
    }
}
