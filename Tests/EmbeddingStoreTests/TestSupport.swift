import EmbeddingStore
import Foundation
import Testing

/// Paths of the shipped fixtures and scratch files for tests.
enum TestFiles {
    static var fixtures: URL { Bundle.module.url(forResource: "Fixtures", withExtension: nil)! }

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// A fresh empty folder for one test's files.
    static func scratchFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Writes `bytes` to a new file named `name` in a scratch folder and returns its path.
    static func write(_ bytes: [UInt8], named name: String) throws -> String {
        let url = try scratchFolder().appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Writes `text` as UTF-8 (see `write(_:named:)`).
    static func write(_ text: String, named name: String) throws -> String {
        try write(Array(text.utf8), named: name)
    }
}

/// A golden file: gensim's words and float32 bit patterns.
struct Golden {
    let words: [String]
    let bits: [[UInt32]]

    init(fixture name: String) throws {
        let text = try String(contentsOfFile: TestFiles.fixture("golden/\(name).golden"), encoding: .utf8)
        var words: [String] = [], bits: [[UInt32]] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
            let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
            words.append(String(parts[0]))
            bits.append(parts[1].split(separator: " ").map { UInt32($0, radix: 16)! })
        }
        self.words = words
        self.bits = bits
    }
}

/// Loads `path` and returns the error it throws, recording an issue when it loads fine.
func loadError(_ path: String, options: LoadOptions = LoadOptions(),
               sourceLocation: SourceLocation = #_sourceLocation) -> EmbeddingFileError? {
    do {
        _ = try WordEmbeddings(contentsOf: path, options: options)
        Issue.record("expected \(path) to fail", sourceLocation: sourceLocation)
        return nil
    } catch let error as EmbeddingFileError {
        return error
    } catch {
        Issue.record("unexpected error \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
