import Foundation
import Testing

@Suite("embkit encode")
struct EncodeCommandTests {
    /// The tiny random BERT folder of the TransferLearning tests (sentence-transformers' layout).
    static let encoder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("TransferLearningTests/Fixtures/tiny-bert").path

    @Test("one unit-length embedding per input line, in order, the same as text and as JSON; a missing folder is exit 1 naming it")
    func encodesLines() throws {
        let input = "a cat sat.\n\nthe quick brown fox, twice!\n"
        let plain = try EmbeddingKitProcess.run(["encode", "--encoder", Self.encoder, "--batch-size", "2"], input: input)
        #expect(plain.status == 0, "\(plain.stderr)")
        let rows = plain.stdout.split(separator: "\n").map { $0.split(separator: " ").compactMap { Float($0) } }
        #expect(rows.count == 3 && rows.allSatisfy { $0.count == 32 })
        for row in rows { #expect(abs(row.map { $0 * $0 }.reduce(0, +) - 1) < 1e-4) }
        // Each line alone gives the same vector as in the batch.
        let alone = try EmbeddingKitProcess.run(["encode", "--encoder", Self.encoder], input: "the quick brown fox, twice!\n")
        let single = alone.stdout.split(separator: " ").compactMap { Float($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(zip(single, rows[2]).allSatisfy { abs($0 - $1) < 1e-5 })

        let json = try EmbeddingKitProcess.run(["encode", "--encoder", Self.encoder, "--json"], input: input)
        let objects = try json.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(objects.map { $0["text"] as? String } == ["a cat sat.", "", "the quick brown fox, twice!"])
        #expect(objects.allSatisfy { ($0["embedding"] as? [Double])?.count == 32 })

        let missing = try EmbeddingKitProcess.run(["encode", "--encoder", "/nonexistent/encoder"], input: input)
        #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("/nonexistent/encoder/config.json"))
    }
}
