import Foundation
import Testing

@Suite("embkit image with ImageNet networks (the shipped MobileNetV2, ONNX files)")
struct ImageCommandTests {
    static let fixtures = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let chelsea = fixtures.appendingPathComponent("chelsea.png").path
    static let mobileNet = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Embeddings/mobilenet_v2.ekm").path

    @Test("image predict with the shipped float16 MobileNetV2 gives onnxruntime's top 5 for a photo, by class name")
    func predictPhoto() throws {
        let result = try EmbeddingKitProcess.run(["image", "predict", "--model", Self.mobileNet, Self.chelsea, "-k", "5", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let labels = (object["labels"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        #expect(labels == ["Egyptian cat", "tiger cat", "tabby", "lynx", "plastic bag"])
        #expect(object["path"] as? String == Self.chelsea)
        let text = try EmbeddingKitProcess.run(["image", "predict", "--model", Self.mobileNet, Self.chelsea])
        #expect(text.stdout.hasPrefix("\(Self.chelsea) Egyptian cat 0.7"))
    }

    @Test("info on an ONNX file summarises the graph; image import writes a model that predicts")
    func infoAndImport() throws {
        let onnx = Self.fixtures.appendingPathComponent("shape_arithmetic.onnx").path
        let info = try EmbeddingKitProcess.run(["info", onnx, "--json"])
        #expect(info.status == 0, "\(info.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any])
        #expect(summary["format"] as? String == "onnx" && summary["importable"] as? Bool == true && summary["opset"] as? Int == 14)
        #expect((summary["operators"] as? [String: Int])?["Slice"] == 1)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("imported-\(UUID().uuidString).ekm").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let imported = try EmbeddingKitProcess.run(["image", "import", onnx, "--output", output, "--precision", "f16"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let predicted = try EmbeddingKitProcess.run(["image", "predict", "--model", output, Self.chelsea, "-k", "2"])
        #expect(predicted.status == 0 && predicted.stdout.split(separator: " ").count == 5, "\(predicted.stdout) \(predicted.stderr)")
    }

    @Test("an unsupported operator or a damaged ONNX file is an error naming the node or byte, exit 1")
    func badONNX() throws {
        let unsupported = try EmbeddingKitProcess.run(["image", "predict", "--model", Self.fixtures.appendingPathComponent("unsupported.onnx").path,
                                                       Self.chelsea])
        #expect(unsupported.status == 1 && unsupported.stderr.contains("node 'the_lp_norm' (LpNormalization)"), "\(unsupported.stderr)")
        let truncated = FileManager.default.temporaryDirectory.appendingPathComponent("truncated-\(UUID().uuidString).onnx")
        defer { try? FileManager.default.removeItem(at: truncated) }
        try Data(try Data(contentsOf: Self.fixtures.appendingPathComponent("shape_arithmetic.onnx")).prefix(700)).write(to: truncated)
        let result = try EmbeddingKitProcess.run(["image", "predict", "--model", truncated.path, Self.chelsea])
        #expect(result.status == 1 && result.stderr.contains(": byte "), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test("export writes an ONNX file that image predict reads back with its class names: the same top 5")
    func exportRoundTrip() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("exported-\(UUID().uuidString).onnx").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let exported = try EmbeddingKitProcess.run(["export", Self.mobileNet, "--output", output])
        #expect(exported.status == 0 && exported.stderr.contains("1000 classes, input 3×224×224"), "\(exported.stderr)")
        let original = try EmbeddingKitProcess.run(["image", "predict", "--model", Self.mobileNet, Self.chelsea, "-k", "5"])
        let reread = try EmbeddingKitProcess.run(["image", "predict", "--model", output, Self.chelsea, "-k", "5"])
        #expect(reread.status == 0 && reread.stdout == original.stdout, "\(reread.stdout) \(reread.stderr)")
    }

    @Test("image test --plot draws the images with predicted and true classes (wrong ones framed) and the confusion matrix")
    func imageGridPlot() throws {
        let folder = try EmbeddingKitProcess.scratchFolder("image-plot")
        defer { try? FileManager.default.removeItem(at: folder) }
        let tabby = folder.appendingPathComponent("photos/tabby"), other = folder.appendingPathComponent("photos/espresso")
        try FileManager.default.createDirectory(at: tabby, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.chelsea, toPath: tabby.appendingPathComponent("chelsea.png").path)
        try FileManager.default.copyItem(atPath: Self.chelsea, toPath: other.appendingPathComponent("chelsea.png").path)
        let grid = folder.appendingPathComponent("grid.svg")
        let result = try EmbeddingKitProcess.run(["image", "test", "--model", Self.mobileNet, folder.appendingPathComponent("photos").path,
                                                  "--plot", grid.path, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let svg = try String(contentsOf: grid, encoding: .utf8)
        #expect(svg.components(separatedBy: "data:image/bmp;base64,").count == 3)
        #expect(svg.contains(">true tabby</text>") && svg.contains(">true espresso</text>"))
        #expect(svg.contains(##"stroke="#d62728""##))  // the espresso folder's cat is predicted wrong
        #expect(try String(contentsOf: folder.appendingPathComponent("grid-confusion.svg"), encoding: .utf8).contains(">predicted</text>"))
    }
}

@Suite("embkit image train records how it trained; info --layers names the layers training options take")
struct ImageTrainingRecordTests {
    @Test("a fine-tuned model's file records its optimizer and augmentation; a layer info lists trains fixed features")
    func trainingIsRecordedAndLayersListed() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-image-record-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let tuned = folder.appendingPathComponent("tuned.ekm").path
        let train = try EmbeddingKitProcess.run(["image", "train", "--strategy", "fine-tune", "--per-class", "12", "--epochs", "1",
                                                 "--optimizer", "adamw", "--flips", "--quarter-turns", "--output", tuned, "--quiet"])
        #expect(train.status == 0, "\(train.stderr)")
        let info = try EmbeddingKitProcess.run(["info", tuned, "--json"])
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(info.stdout.utf8)) as? [String: Any], "\(info.stderr)")
        #expect(summary["optimizer"] as? String == "adamw" && summary["epochs"] as? Int == 1)
        #expect(summary["augmentation"] as? String == "shifts ±2 px, rotations ±10°, flips, quarter turns")

        let listed = try EmbeddingKitProcess.run(["info", "--layers", "--json", tuned])
        let layers = try #require((try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [String: Any])?["layers"] as? [[String: Any]],
                                  "\(listed.stderr)")
        #expect(layers.first?["number"] as? Int == 1 && layers.last?["operation"] as? String == "Gemm")
        let pool = try #require(layers.first { $0["operation"] as? String == "MaxPool" }?["name"] as? String)
        let fixed = try EmbeddingKitProcess.run(["image", "train", "--strategy", "fixed-features", "--layer", pool, "--per-class", "12",
                                                 "--output", folder.appendingPathComponent("fixed.ekm").path, "--quiet"])
        #expect(fixed.status == 0, "\(fixed.stderr)")
        let unknown = try EmbeddingKitProcess.run(["image", "train", "--strategy", "fixed-features", "--layer", "no-such-layer", "--per-class", "12",
                                                   "--output", folder.appendingPathComponent("unknown.ekm").path, "--quiet"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no-such-layer"), "\(unknown.stderr)")
    }
}
