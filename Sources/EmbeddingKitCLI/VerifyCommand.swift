import ArgumentParser
import EmbeddingStore
import Foundation
import ONNXImport
import TransferLearning

/// `embkit verify FILE…`: reads every byte of vector, model and ONNX files and checks them.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check files whole: native vector files and model files against their checksums, other formats by parsing them.",
        discussion: "Native files up to 256 MiB are checked whole whenever they open; larger ones check their header, words and "
            + "metadata on open and their matrix here. Exit code 1 names the first damaged file and section.")

    @Argument(help: "Vector files (any format), model files (.ekm, backbones) or ONNX models.")
    var files: [String]

    @Flag(help: "Print one JSON object per file.")
    var json = false

    func validate() throws {
        if files.isEmpty { throw ValidationError("give the files to verify") }
    }

    func run() throws {
        for file in files {
            let (kind, detail, seconds) = try reportingTrainingErrors { try check(file) }
            if json {
                print(JSONValue.object([("path", .string(file)), ("ok", .bool(true)), ("kind", .string(kind)), ("checked", .string(detail)),
                                        ("milliseconds", .double(seconds * 1000))]).rendered)
            } else {
                print("\(file): ok, \(kind): \(detail) (\(String(format: "%.1f", seconds * 1000)) ms)")
            }
        }
    }

    private func check(_ file: String) throws -> (kind: String, detail: String, seconds: Double) {
        let start = Date()
        if file.lowercased().hasSuffix(".onnx") {
            let model = try ONNXModel(contentsOf: file)
            return ("ONNX model", "decodes: \(model.graph.nodes.count) nodes, \(model.graph.initializers.count) initializers (ONNX has no checksums)",
                    Date().timeIntervalSince(start))
        }
        if isTensorContainer(file) {
            let container = try TensorContainer(contentsOf: file)
            return ("model file", "checksums match: header and \(container.tensors.count) tensors", Date().timeIntervalSince(start))
        }
        let verification = try WordEmbeddings.verify(fileAt: file)
        let detail = verification.checkedSections.isEmpty
            ? "no checksums in this format; all \(verification.count) rows parsed"
            : "checksums match: " + verification.checkedSections.joined(separator: ", ")
        return ("\(verification.format) vectors, \(verification.count) × \(verification.dimensions)", detail, verification.seconds)
    }

}

/// Whether `file` starts as EmbeddingKit model files do: an 8-byte header length, then `{`.
func isTensorContainer(_ file: String) -> Bool {
    guard let handle = FileHandle(forReadingAtPath: file), let prefix = try? handle.read(upToCount: 9), prefix.count == 9 else { return false }
    try? handle.close()
    let length = prefix.prefix(8).reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    return prefix[8] == UInt8(ascii: "{") && length > 0 && length < 1 << 30
}
