import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `embkit serve` end to end on loopback: a real server process, real HTTP requests, answers
/// compared with the CLI's `--json` output, limits, and a graceful stop on SIGTERM.
/// JSON text with sorted keys, for comparing objects.
func canonical(_ data: Data) throws -> String {
    String(decoding: try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data), options: [.sortedKeys]), as: UTF8.self)
}

@Suite("embkit serve over HTTP on loopback", .serialized)
struct ServeCommandTests {
    static var toyModel: String { Bundle.module.url(forResource: "Fixtures", withExtension: nil)!.appendingPathComponent("toy-model.vec").path }
    static let languageModel = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Embeddings/lid.176.ftz").path

    /// A running `embkit serve` and its port.
    /// `@unchecked Sendable`: the port is set once in `init`, before the value is shared.
    final class Server: @unchecked Sendable {
        let process = Process()
        private(set) var port = 0
        private let errors = Pipe()

        init(_ arguments: [String]) throws {
            process.executableURL = EmbeddingKitProcess.executable
            process.arguments = ["serve", "--port", "0"] + arguments
            process.standardError = errors
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // The chosen port is on stderr: "embkit: serving … on http://127.0.0.1:PORT".
            var text = ""
            let deadline = Date().addingTimeInterval(30)
            while port == 0 && Date() < deadline {
                let chunk = errors.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                text += String(decoding: chunk, as: UTF8.self)
                if let range = text.range(of: #"on http://127\.0\.0\.1:(\d+)"#, options: .regularExpression) {
                    port = Int(text[range].split(separator: ":").last!)!
                }
            }
            guard port > 0 else { throw ServerError(message: "no port announced: \(text)") }
        }

        /// The status and JSON body (keys sorted, so equal objects give equal text) of a GET, or a POST of `body`.
        func request(_ path: String, body: String? = nil) async throws -> (status: Int, json: String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            if let body {
                request.httpMethod = "POST"
                request.httpBody = Data(body.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as! HTTPURLResponse).statusCode, try canonical(data))
        }

        /// Sends SIGTERM and waits: the exit status.
        func stop() -> Int32 {
            process.terminate()
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    struct ServerError: Error { let message: String }

    /// The CLI's `--json` answer for `arguments` (its first line), keys sorted.
    func cliJSON(_ arguments: [String], input: String = "") throws -> String {
        try canonical(Data(try EmbeddingKitProcess.run(arguments, input: input).stdout.split(separator: "\n")[0].utf8))
    }

    @Test("every endpoint answers as the CLI's --json does; bad requests get 4xx errors; SIGTERM stops it cleanly")
    func endpoints() async throws {
        let server = try Server(["--embeddings", "toy=\(Self.toyModel)", "--model", "lid=\(Self.languageModel)", "--max-batch", "3"])
        defer { if server.process.isRunning { _ = server.stop() } }

        let health = try await server.request("/health")
        #expect(health.status == 200 && health.json.contains(#""status":"ok""#))

        let neighbors = try await server.request("/neighbors?word=the&k=4")
        #expect(neighbors.status == 200)
        #expect(neighbors.json == (try cliJSON(["neighbors", "--embeddings", Self.toyModel, "--json", "-k", "4", "the"])))
        let similarity = try await server.request("/similarity?a=the&b=of")
        #expect(similarity.json == (try cliJSON(["similarity", "--embeddings", Self.toyModel, "--json", "the", "of"])))
        // The bytes themselves come with sorted keys (not in a per-process hash order).
        let (raw, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/analogy?a=the&b=of&c=and&k=1")!)
        #expect(String(decoding: raw, as: UTF8.self).hasPrefix(#"{"a":"the","b":"of","c":"and","method":"add","results":[{"similarity":"#))
        let predicted = try await server.request("/predict", body: #"{"lines": ["bonjour tout le monde", "hello world"], "k": 2}"#)
        let expected = try EmbeddingKitProcess.run(["predict", "--model", Self.languageModel, "--json", "-k", "2"],
                                                   input: "bonjour tout le monde\nhello world\n").stdout.split(separator: "\n")
        let lines = try expected.map { try canonical(Data($0.utf8)) }
        #expect(predicted.json == #"{"results":["# + lines.joined(separator: ",") + "]}")

        // GET /predict defaults to the CLI's one label; malformed k and threshold are 400s, not defaults.
        let single = try await server.request("/predict?text=hello%20world")
        let cliSingle = try EmbeddingKitProcess.run(["predict", "--model", Self.languageModel, "--json"], input: "hello world\n").stdout
        let cliCanonical = try canonical(Data(cliSingle.utf8))
        #expect(single.status == 200 && single.json == cliCanonical)
        #expect(try await server.request("/predict?text=hello&k=abc").status == 400)
        #expect(try await server.request("/predict?text=hello&threshold=high").status == 400)
        #expect(try await server.request("/predict?text=hello&threshold=2").status == 400)

        let unknown = try await server.request("/neighbors?word=zzzz")
        #expect(unknown.status == 200 && unknown.json == #"{"error":"unknown word 'zzzz'","query":"zzzz"}"#)
        #expect(try await server.request("/neighbors?word=the&k=0").status == 400)
        #expect(try await server.request("/neighbors").status == 400)
        #expect(try await server.request("/neighbors?word=the&embeddings=nope").status == 404)
        #expect(try await server.request("/vector", body: #"{"words": ["a", "b", "c", "d"]}"#).status == 413)
        #expect(try await server.request("/similarity", body: #"{"pairs": [["the"]]}"#).status == 400)
        #expect(try await server.request("/analogy", body: "{not json").status == 400)
        // Another method on a known path is 405 with the methods it takes; an unknown path stays 404.
        for (method, path, allow) in [("DELETE", "/neighbors", "GET, POST"), ("PUT", "/predict", "GET, POST"), ("POST", "/health", "GET"),
                                      ("HEAD", "/vector", "GET, POST")] {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(server.port)\(path)")!)
            request.httpMethod = method
            let (_, response) = try await URLSession.shared.data(for: request)
            let http = response as! HTTPURLResponse
            #expect(http.statusCode == 405 && http.value(forHTTPHeaderField: "Allow") == allow, "\(method) \(path): \(http.statusCode)")
        }
        let (_, nowhere) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(server.port)/nowhere")!)
        #expect((nowhere as! HTTPURLResponse).statusCode == 404)
        let spec = try await server.request("/openapi.json")
        let paths = (try JSONSerialization.jsonObject(with: Data(spec.json.utf8)) as? [String: Any])?["paths"] as? [String: Any]
        #expect(spec.status == 200 && paths?.keys.sorted() == ["/analogy", "/encode", "/health", "/neighbors", "/predict", "/similarity", "/vector"])

        #expect(server.stop() == 0)
    }

    @Test("/encode answers as `embkit encode --json` does, one text by GET or many by POST; /health lists the encoder")
    func encodes() async throws {
        let server = try Server(["--encoder", "tiny=\(EncodeCommandTests.encoder)"])
        defer { if server.process.isRunning { _ = server.stop() } }
        let cli = try EmbeddingKitProcess.run(["encode", "--encoder", EncodeCommandTests.encoder, "--json"], input: "a cat sat.\n! ! !\n").stdout
            .split(separator: "\n").map { try canonical(Data($0.utf8)) }
        let one = try await server.request("/encode?text=a%20cat%20sat.")
        #expect(one.status == 200 && one.json == cli[0])
        let many = try await server.request("/encode", body: #"{"texts": ["a cat sat.", "! ! !"], "encoder": "tiny"}"#)
        #expect(many.status == 200 && many.json == #"{"results":["# + cli.joined(separator: ",") + "]}")
        #expect(try await server.request("/encode?text=x&encoder=nope").status == 404)
        #expect(try await server.request("/health").json.contains(#""encoders":["tiny"]"#))
        #expect(server.stop() == 0)
    }

    @Test("32 concurrent neighbour queries (batched into shared scans) each get the single-query answer")
    func concurrentQueries() async throws {
        let server = try Server(["--embeddings", Self.toyModel])
        defer { if server.process.isRunning { _ = server.stop() } }
        let words = ["the", "of", "and", "to", "in", "a", "is", "that"]
        var expected: [String: String] = [:]
        for word in words { expected[word] = try await server.request("/neighbors?word=\(word)&k=5").json }
        let answers = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for index in 0..<32 {
                let word = words[index % words.count]
                group.addTask { (word, try await server.request("/neighbors?word=\(word)&k=5").json) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.count == 32)
        // A batch's matrix product may round a cosine's last bit differently from one query's scan.
        func neighbors(_ json: String) -> [(word: String, similarity: Double)] {
            let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            return (object?["neighbors"] as? [[String: Any]] ?? []).map { ($0["word"] as? String ?? "", $0["similarity"] as? Double ?? .nan) }
        }
        for (word, answer) in answers {
            let ours = neighbors(answer), single = neighbors(expected[word] ?? "")
            #expect(ours.map(\.word) == single.map(\.word) && ours.count == 5, "\(word)")
            #expect(zip(ours, single).allSatisfy { abs($0.similarity - $1.similarity) < 1e-6 }, "\(word)")
        }
        #expect(server.stop() == 0)
    }
}
