import EmbeddingStore
import Foundation
import Hummingbird
import TransferLearning

/// An HTTP JSON service over loaded vector tables, models and sentence encoders: neighbours,
/// similarity, analogy, vector, predict and encode, one query by `GET` or many by `POST`, with the
/// CLI's `--json` keys.
///
/// Concurrent neighbour queries on one table are answered together by one scan (see
/// `NeighborBatcher`). Requests are bounded (`Limits`); bad ones get a 4xx JSON error naming the
/// problem. `run` stops gracefully on SIGTERM or SIGINT, finishing the requests in flight.
public struct EmbeddingServer: Sendable {
    /// Bounds on what one request may ask for.
    public struct Limits: Sendable {
        /// The most neighbours or analogy answers per query.
        public var maximumK: Int
        /// The most queries, pairs or lines in one batch request.
        public var maximumBatch: Int
        /// The most bytes of text in one predict line.
        public var maximumLineBytes: Int

        public init(maximumK: Int = 1000, maximumBatch: Int = 1024, maximumLineBytes: Int = 100_000) {
            self.maximumK = maximumK
            self.maximumBatch = maximumBatch
            self.maximumLineBytes = maximumLineBytes
        }
    }

    let embeddings: [String: WordEmbeddings]
    let models: [String: TransferModel]
    let encoders: [String: SentenceEncoder]
    let limits: Limits
    let batchers: [String: NeighborBatcher]

    /// A service over `embeddings`, `models` and `encoders`, each by the name requests use
    /// (`?embeddings=NAME`, `?model=NAME`, `?encoder=NAME`; a request may leave the name out when
    /// there is only one).
    public init(embeddings: [String: WordEmbeddings], models: [String: TransferModel], encoders: [String: SentenceEncoder] = [:],
                limits: Limits = Limits()) {
        self.embeddings = embeddings
        self.models = models
        self.encoders = encoders
        self.limits = limits
        batchers = embeddings.mapValues { NeighborBatcher(embeddings: $0) }
    }

    /// Serves on `host`:`port` (0 picks a free port) until SIGTERM or SIGINT; `onReady` receives
    /// the port once the server listens.
    public func run(host: String, port: Int, onReady: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "embkit"),
            onServerRunning: { channel in onReady(channel.localAddress?.port ?? port) })
        try await app.runService()
    }

    /// The routes (see `openAPIDocument` for what each takes and returns).
    func router() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.get("health") { _, _ in
            HealthAnswer(status: "ok", embeddings: embeddings.keys.sorted(), models: models.keys.sorted(), encoders: encoders.keys.sorted())
        }
        router.get("openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: EmbeddingServer.openAPIDocument)))
        }
        router.get("neighbors") { request, _ in try await neighbors(request.uri.queryParameters) }
        router.post("neighbors") { request, context in try await neighbors(try await request.decode(as: NeighborsBatch.self, context: context)) }
        router.get("similarity") { request, _ in try similarity(request.uri.queryParameters) }
        router.post("similarity") { request, context in try similarity(try await request.decode(as: SimilarityBatch.self, context: context)) }
        router.get("analogy") { request, _ in try await analogy(request.uri.queryParameters) }
        router.post("analogy") { request, context in try await analogy(try await request.decode(as: AnalogyBatch.self, context: context)) }
        router.get("vector") { request, _ in try vector(request.uri.queryParameters) }
        router.post("vector") { request, context in try vector(try await request.decode(as: VectorBatch.self, context: context)) }
        router.get("predict") { request, _ in try await predict(request.uri.queryParameters) }
        router.post("predict") { request, context in try await predict(try await request.decode(as: PredictBatch.self, context: context)) }
        router.get("encode") { request, _ in try await encode(request.uri.queryParameters) }
        router.post("encode") { request, context in try await encode(try await request.decode(as: EncodeBatch.self, context: context)) }
        // Other methods on a known path are 405 with the methods it takes, not 404.
        let allowed: [String: String] = ["health": "GET", "openapi.json": "GET", "neighbors": "GET, POST", "similarity": "GET, POST",
                                         "analogy": "GET, POST", "vector": "GET, POST", "predict": "GET, POST",
                                         "encode": "GET, POST"]
        for (path, methods) in allowed {
            for method in [HTTPRequest.Method.head, .put, .delete, .patch] + (methods == "GET" ? [.post] : []) {
                router.on(RouterPath(path), method: method) { _, _ -> Response in
                    throw HTTPError(.methodNotAllowed, headers: [.allow: methods], message: "/\(path) takes \(methods)")
                }
            }
        }
        return router
    }
}

/// The request context of `embkit serve`: answers are encoded with sorted keys, so the same
/// answer is the same bytes in every process (`JSONEncoder`'s default key order varies with the
/// process's hash seed).
struct ServerRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage

    init(source: Source) {
        coreContext = .init(source: source)
    }

    var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
