import ArgumentParser
import Foundation
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
                      TrainCommand.self, TestCommand.self, PredictCommand.self, EncodeCommand.self, ImageCommand.self, ExportCommand.self, VerifyCommand.self,
                      ServeCommand.self, MapCommand.self]
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
        StandardOutput.checkAtExit()
        if let first = CommandLine.arguments.dropFirst().first, let message = unknownCommandMessage(first) {
            FileHandle.standardError.write(Data("embkit: \(message)\nUsage: embkit <subcommand>; see 'embkit --help'.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        }
        main(nil)
    }

    /// For a first argument that names no command: the message, with the command meant when it is
    /// a unique prefix or a near miss (`inf` → `info`, `neighbours` → `neighbors`).
    static func unknownCommandMessage(_ argument: String) -> String? {
        let names = configuration.subcommands.map { $0._commandName }
        guard !argument.hasPrefix("-"), !names.contains(argument), argument != "help" else { return nil }
        let prefixed = names.filter { $0.hasPrefix(argument) }
        let close = names.map { ($0, editDistance($0, argument)) }.filter { $0.1 <= 2 }.sorted { $0.1 < $1.1 }.map(\.0)
        guard let suggestion = prefixed.count == 1 ? prefixed[0] : close.first else {
            return "unknown command '\(argument)'; the commands are " + names.joined(separator: ", ")
        }
        return "unknown command '\(argument)'; did you mean '\(suggestion)'?"
    }

    /// Levenshtein distance.
    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() { current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))) }
            previous = current
        }
        return previous[b.count]
    }
}
