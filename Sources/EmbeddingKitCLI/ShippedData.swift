import Foundation

/// The data the repository ships (the default corpus and vectors of `embkit train`), found
/// wherever `embkit` runs: below the working folder or one of its parents, or beside the
/// executable's build folder (`.build/release/embkit` lives two folders below the checkout).
enum ShippedData {
    static let trainingCorpus = "Corpora/rotten-tomatoes/train.txt"
    static let testCorpus = "Corpora/rotten-tomatoes/test.txt"
    static let embeddings = "Embeddings/glove.6B.50d.20k.txt.gz"
    static let imageBackbone = "Embeddings/fashion-mnist-0-4.backbone"
    static let imageTraining = "Corpora/fashion-mnist-5-9/train-images-idx3-ubyte.gz"
    static let imageTest = "Corpora/fashion-mnist-5-9/t10k-images-idx3-ubyte.gz"
    static let imageNetClasses = "Embeddings/imagenet_classes.txt"

    /// The path of the shipped file `relative`, or `relative` itself when it is nowhere to be found
    /// (opening it then reports the usual error).
    static func path(_ relative: String) -> String {
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
                             ?? CommandLine.arguments[0]).deletingLastPathComponent()
        for start in [URL(fileURLWithPath: FileManager.default.currentDirectoryPath), executable] {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent(relative).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return relative
    }
}
