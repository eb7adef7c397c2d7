import ArgumentParser
import EmbeddingStore
import Foundation

/// `embkit info FILE`: what a vector file holds.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show a vector file's format, vocabulary size and dimensions.")

    @Argument(help: "The vector file (any supported format, optionally gzip-compressed).")
    var file: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func run() throws {
        let embeddings = try fileOptions.load(file)
        let metadata = embeddings.metadata
        var fields: [(String, Any)] = [
            ("format", metadata.format.rawValue), ("count", embeddings.count),
            ("dimensions", embeddings.dimensions), ("compressed", metadata.wasCompressed),
            ("duplicates_dropped", metadata.duplicateCount),
        ]
        if let original = metadata.originalFormat { fields.append(("original_format", original.rawValue)) }
        if let path = metadata.originalPath { fields.append(("original_path", path)) }
        if metadata.cacheStatus != .notUsed { fields.append(("cache", metadata.cacheStatus.rawValue)) }
        if json {
            let object = Dictionary(uniqueKeysWithValues: fields)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (key, value) in fields { print("\(key): \(value)") }
        }
    }
}
