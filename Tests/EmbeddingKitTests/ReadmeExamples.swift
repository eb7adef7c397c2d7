import EmbeddingKit
import Foundation
import Testing

/// The README's library examples, compiled here through the umbrella module; the test checks that
/// the README shows exactly these lines. They are compiled, not run (they read the full corpus and
/// files a user brings: `photo.jpg`, `pets/`).
enum ReadmeExamples {
    static func text() throws {
        // README: text
        let glove = try WordEmbeddings(contentsOf: "Embeddings/glove.6B.50d.20k.txt.gz")
        let king = glove["king"]                                           // [Float]?, nil when unknown
        let similar = glove.nearestNeighbors(of: "king", k: 10)            // [Neighbor]? (word, similarity)
        let queen = glove.mostSimilar(positive: ["woman", "king"], negative: ["man"], k: 1)  // gensim's most_similar
        let rank = glove.rank(of: "queen", from: "king")                   // also distance, closerThan, nSimilarity

        let train = try LabeledCorpus(contentsOf: "Corpora/rotten-tomatoes/train.txt")
        let test = try LabeledCorpus(contentsOf: "Corpora/rotten-tomatoes/test.txt")
        let featurizer = DocumentFeaturizer(embeddings: glove, tokenizer: UnicodeTokenizer())
        let model = try TransferModel.train(.fineTune(), featurizer: featurizer, on: train, seed: 1)
        let fixed = try TransferModel.train(.fixedFeatures, featurizer: featurizer, head: .logisticRegression(), on: train)
        let chosen = try StrategyAdvisor().train(featurizer: featurizer, on: train)   // auto; chosen.advice says why
        let report = try model.evaluate(on: test)                          // accuracy, macro-F1, per class, confusion
        let top = try model.predict("a quietly wonderful film", k: 1)      // [Prediction] (label, probability)
        try model.write(to: "model.ekm")                                   // atomic, checksummed; TransferModel(contentsOf:)
        try model.writeONNX(to: "model.onnx")                              // the head, for onnxruntime
        // README: end
        _ = (king, similar, queen, rank, fixed, chosen, report, top)
    }

    static func images() throws {
        // README: images
        let mobileNet = try ImageNetwork(contentsOf: "Embeddings/mobilenet_v2.ekm")    // or an .onnx file, or a backbone
        let side = mobileNet.preprocessing.shorterSide                                   // 256: resize, then crop to 224
        let photos = try ImageSet.read(files: ["photo.jpg"], shape: mobileNet.inputShape, shorterSide: side).images
        let top5 = try TransferModel(imageNetwork: mobileNet).predict(images: photos, k: 5)  // [[Prediction]], ImageNet class names
        let pets = try ImageSet.read("pets/", shape: mobileNet.inputShape, shorterSide: side).images  // a folder per label
        let model = try TransferModel.train(.fixedFeatures, imageNetwork: mobileNet, on: pets)
        let chosen = try StrategyAdvisor().train(imageNetwork: mobileNet, on: pets)     // auto; chosen.advice says why
        try model.writeONNX(to: "pets.onnx")                                             // the whole network, for onnxruntime
        // README: end
        _ = (top5, chosen)
    }
}

@Suite struct ReadmeExampleTests {
    /// The lines between `// README: NAME` and `// README: end` in this file, unindented.
    static func compiledLines(_ name: String) throws -> [String] {
        let source = try String(contentsOfFile: #filePath, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(source.firstIndex { $0.trimmingCharacters(in: .whitespaces) == "// README: \(name)" })
        let end = try #require(source[start...].firstIndex { $0.trimmingCharacters(in: .whitespaces) == "// README: end" })
        return source[(start + 1)..<end].map { $0.hasPrefix("        ") ? String($0.dropFirst(8)) : String($0) }
    }

    /// The README's `swift` blocks that start with `import EmbeddingKit`, without that line.
    static func readmeBlocks() throws -> [[String]] {
        let readme = root.appendingPathComponent("README.md")
        let lines = try String(contentsOf: readme, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var blocks: [[String]] = [], current: [String]?
        for line in lines {
            if line == "```swift" { current = [] } else if line == "```", let block = current {
                if block.first == "import EmbeddingKit" { blocks.append(Array(block.dropFirst(2))) }
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// The checkout's root, three folders up from this file.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("the README, .ci/run and Package.swift name the same system packages")
    func systemPackagesAgree() throws {
        func text(_ path: String) throws -> String { try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8) }
        let ci = try text(".ci/run"), readme = try text("README.md"), manifest = try text("Package.swift")
        let list = try #require(ci.split(separator: "\n").first { $0.hasPrefix("packages=(") })
        let installed = list.dropFirst("packages=(".count).dropLast().split(separator: " ").map(String.init)
        #expect(!installed.isEmpty)
        #expect(readme.contains("apt-get install \(installed.joined(separator: " "))"), "the README's requirements must name \(installed)")
        let provided = manifest.matches(of: /\.apt\(\["([^"]+)"\]\)/).map { String($0.1) }
        #expect(Set(provided) == Set(installed), "Package.swift's apt providers \(provided) and .ci/run's \(installed) differ")
    }

    @Test func theReadmeShowsTheCompiledExamples() throws {
        let blocks = try Self.readmeBlocks()
        #expect(blocks == [try Self.compiledLines("text"), try Self.compiledLines("images")])
    }
}
