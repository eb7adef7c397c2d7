import ArgumentParser
import EmbeddingKitServer
import EmbeddingStore
import Foundation
import Synchronization
import TransferLearning

/// `embkit serve`: the query and prediction service over HTTP (see `EmbeddingServer`).
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve neighbours, similarity, analogy, vector, predict and encode as HTTP JSON endpoints.",
        discussion: """
            Each --embeddings, --model and --encoder is NAME=PATH (or just PATH, named by its file name without extension). \
            Routes: GET /health, GET /openapi.json, and GET (one query) or POST (a batch) /neighbors, /similarity, \
            /analogy, /vector, /predict, /encode, e.g. `curl 'localhost:8080/neighbors?word=king&k=5'`. Responses use the keys \
            of the commands' --json output. Concurrent neighbour queries on one file share one scan. SIGTERM or Ctrl-C \
            stops the server after the requests in flight.
            """)

    @Option(help: "A vector file to serve, NAME=PATH (repeatable).")
    var embeddings: [String] = []

    @Option(help: "A model to serve (EmbeddingKit model or supervised fastText .bin/.ftz), NAME=PATH (repeatable).")
    var model: [String] = []

    @Option(help: "A sentence encoder to serve at /encode (a sentence-transformers folder), NAME=PATH (repeatable).")
    var encoder: [String] = []

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(parsing: .unconditional, help: "The port (0 picks a free one; the chosen port is printed on stderr).")
    var port = 8080

    @Option(parsing: .unconditional, help: "The most neighbours or analogy answers one query may ask for.")
    var maxK = 1000

    @Option(parsing: .unconditional, help: "The most queries, pairs or lines in one batch request.")
    var maxBatch = 1024

    func validate() throws {
        guard !embeddings.isEmpty || !model.isEmpty || !encoder.isEmpty else {
            throw ValidationError("give at least one --embeddings, --model or --encoder")
        }
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0 to 65535") }
        guard maxK >= 1, maxK <= 1_000_000 else { throw ValidationError("--max-k must be 1 to 1,000,000") }
        guard maxBatch >= 1, maxBatch <= 1_000_000 else { throw ValidationError("--max-batch must be 1 to 1,000,000") }
    }

    func run() throws {
        let fileOptions = try EmbeddingFileOptions.parse([])
        var tables: [String: WordEmbeddings] = [:], models: [String: TransferModel] = [:], encoders: [String: SentenceEncoder] = [:]
        for (name, path) in try named(embeddings) { tables[name] = try fileOptions.load(path) }
        for (name, path) in try named(model) { models[name] = try openModel(path, embeddings: nil) }
        for (name, path) in try named(encoder) { encoders[name] = try reportingFileErrors { try SentenceEncoder(folder: path) } }
        let server = EmbeddingServer(embeddings: tables, models: models, encoders: encoders,
                                     limits: .init(maximumK: maxK, maximumBatch: maxBatch))
        let host = host, port = port
        let names = (tables.keys.sorted() + models.keys.sorted() + encoders.keys.sorted()).joined(separator: ", ")
        let outcome = Mutex<Result<Void, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        Task {
            let result = await Result(catching: {
                try await server.run(host: host, port: port) { chosen in
                    StandardError.print("embkit: serving \(names) on http://\(host):\(chosen)")
                }
            })
            outcome.withLock { $0 = result }
            finished.signal()
        }
        finished.wait()
        if case .failure(let error) = outcome.withLock({ $0 }) {
            StandardError.print("embkit: serve: \(error)")
            throw ExitCode.failure
        }
    }

    /// NAME=PATH pairs; a bare PATH is named by its file name without extension.
    private func named(_ values: [String]) throws -> [(String, String)] {
        var seen = Set<String>()
        return try values.map { value in
            let parts = value.split(separator: "=", maxSplits: 1).map(String.init)
            let pair = parts.count == 2 ? (parts[0], parts[1])
                : (URL(fileURLWithPath: value).deletingPathExtension().deletingPathExtension().lastPathComponent, value)
            guard seen.insert(pair.0).inserted else { throw ValidationError("two files are named '\(pair.0)'; use NAME=PATH") }
            return pair
        }
    }
}

extension Result where Failure == any Error {
    /// The outcome of an async throwing call.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
