import ArgumentParser
import ImageFeatures
import TransferLearning

/// `embkit image predict --model M FILE|DIR...`: `path label probability` per image.
struct ImagePredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print the most probable labels of each image: `path label probability …` per line.",
        discussion: "A folder stands for its PNG and JPEG files, recursively, in name order. Images are read and "
            + "predicted in batches of 256.")

    @Option(help: "The image model, a backbone file, or an ONNX classifier (predicting its own classes).")
    var model: String

    @OptionGroup var onnx: ONNXOptions

    @Argument(help: "Image files or folders.")
    var paths: [String]

    @Option(name: [.short, .long], parsing: .unconditional, help: "How many labels per image.")
    var k = 1

    @Option(help: "fail or skip on images that cannot be decoded.")
    var badImages: BadImagePolicy = .fail

    @Flag(help: "Print one JSON object per image: {\"path\", \"labels\": [{\"label\", \"probability\"}]}.")
    var json = false

    func validate() throws {
        if k < 1 { throw ValidationError("-k must be at least 1") }
        if paths.isEmpty { throw ValidationError("give image files or folders to predict") }
    }

    func run() throws {
        let loaded = try onnx.openModel(model)
        let files = try reportingTrainingErrors { try ImageSet.imageFiles(in: paths) }
        var output = StandardOutput(), skipped = 0
        for start in stride(from: 0, to: files.count, by: 256) {
            let (images, skippedHere) = try reportingTrainingErrors {
                try ImageSet.read(files: Array(files[start..<min(files.count, start + 256)]), shape: loaded.imageInputShape!,
                                  shorterSide: loaded.imageShorterSide, badImages: badImages)
            }
            skipped += skippedHere
            let predictions = try reportingTrainingErrors { try loaded.predict(images: images, k: k) }
            for (path, labels) in zip(images.sources, predictions) {
                if json {
                    output.write(JSONValue.object([("path", .string(path)), ("labels", .array(labels.map {
                        .object([("label", .string($0.label)), ("probability", .float($0.probability))])
                    }))]).rendered + "\n")
                } else {
                    output.write(([path] + labels.map { "\($0.label) \($0.probability)" }).joined(separator: " ") + "\n")
                }
            }
        }
        output.flush()
        if skipped > 0 { StandardError.print("embkit: skipped \(skipped) unreadable image(s)") }
    }
}
