import ArgumentParser
import EmbeddingStore
import Foundation
import ImageFeatures
import ONNXImport
import TransferLearning

/// `embkit info FILE`: what a vector file holds.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Show a vector file's format, vocabulary size and dimensions (or what an EmbeddingKit model or an ONNX model holds).")

    @Argument(help: "The vector file (any supported format, optionally gzip-compressed), an EmbeddingKit model (.ekm) or an ONNX model (.onnx).")
    var file: String

    @OptionGroup var fileOptions: EmbeddingFileOptions

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "List an image network's layers (ONNX, backbone or image model): number, name, operation, output shape and weights — the names and numbers --layer and --trainable from take.")
    var layers = false

    func run() throws {
        if layers { return try printLayers() }
        if file.lowercased().hasSuffix(".onnx") { return try printONNXSummary() }
        if isTensorContainer(file) { return try printModelSummary() }
        let embeddings = try fileOptions.load(file)
        let metadata = embeddings.metadata
        var fields: [(String, Any)] = [
            ("format", metadata.format.rawValue), ("count", embeddings.count),
            ("dimensions", embeddings.dimensions), ("compressed", metadata.wasCompressed),
            ("duplicates_dropped", metadata.duplicateCount),
        ]
        if embeddings.precision != .float32 {
            fields += [("precision", embeddings.precision.rawValue), ("cosine_error_bound", embeddings.cosineErrorBound),
                       ("exact_searches", embeddings.searchesAreExact)]
        }
        if let original = metadata.originalFormat { fields.append(("original_format", original.rawValue)) }
        if let path = metadata.originalPath { fields.append(("original_path", path)) }
        if metadata.cacheStatus != .notUsed { fields.append(("cache", metadata.cacheStatus.rawValue)) }
        if metadata.format == .fasttextBin, let supervised = try? FastTextSupervisedModel(contentsOf: file) {
            let shown = supervised.labels.prefix(10).joined(separator: " ") + (supervised.labels.count > 10 ? " …" : "")
            fields += [("supervised_labels", supervised.labels.count), ("labels", shown), ("loss", "\(supervised.loss)"),
                       ("quantized", supervised.isQuantized), ("input_rows", supervised.inputRows)]
        }
        try printFields(fields)
    }

    /// `key: value` lines, or one JSON object with sorted keys.
    private func printFields(_ fields: [(String, Any)]) throws {
        if json {
            let object = Dictionary(uniqueKeysWithValues: fields)
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            for (key, value) in fields { print("\(key): \(value)") }
        }
    }

    /// `info model.ekm`: the strategy, classes, network and the embeddings it reads.
    private func printModelSummary() throws {
        let summary = try reportingTrainingErrors { try ModelFileSummary(contentsOf: file) }
        let shown = summary.labels.prefix(10).joined(separator: " ") + (summary.labels.count > 10 ? " …" : "")
        var fields: [(String, Any)] = [
            ("format", "embkit-model"), ("strategy", summary.strategy.kind.rawValue), ("inputs", summary.inputs),
            ("classes", summary.labels.count), ("labels", shown), ("architecture", summary.architecture),
            ("tensors", summary.tensorCount), ("tensor_bytes", summary.tensorBytes),
        ]
        let texts = summary.inputs == "texts"
        if texts, summary.encoderFolder == nil, let optimizer = summary.strategy.bagTraining?.optimizer { fields.append(("optimizer", optimizer.rawValue)) }
        if texts { fields.append(("training_coverage", summary.trainingCoverage)) }
        if let training = summary.imageTraining {
            fields += [("optimizer", training.schedule.optimizer.method.rawValue), ("learning_rate", training.schedule.learningRate),
                       ("batch_size", training.schedule.batchSize), ("epochs", training.schedule.epochs),
                       ("augmentation", "\(training.augmentation)")]
        }
        if let file = summary.embeddingFile {
            fields += [("embeddings", file.path), ("embeddings_fingerprint", file.fingerprint)]
        } else if let encoder = summary.encoderFolder {
            fields += [("encoder", encoder.path), ("encoder_fingerprints", encoder.fingerprints.joined(separator: " "))]
        } else if texts {
            fields.append(("embeddings", "self-contained"))
        }
        if let advice = summary.advice { fields.append(("auto", "\(advice)")) }
        try printFields(fields)
    }

    /// `info model.onnx`: the graph's inputs, outputs, operators and parameters, and whether it imports.
    private func printONNXSummary() throws {
        let model = try reportingFileErrors { try ONNXModel(contentsOf: file) }
        var importError: String?
        var featureCount: Int?
        do { featureCount = try ImageNetwork(onnx: file).featureCount } catch { importError = "\(error)" }
        let operators = model.operatorCounts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        if json {
            var object: [String: Any] = [
                "format": "onnx", "ir_version": model.irVersion, "opset": model.opsetVersion, "producer": model.producer,
                "inputs": model.feedInputs.map(\.summary), "outputs": model.graph.outputs.map(\.summary),
                "nodes": model.graph.nodes.count, "parameters": model.parameterCount,
                "operators": Dictionary(uniqueKeysWithValues: operators.map { ($0.key, $0.value) }), "importable": importError == nil,
            ]
            if let featureCount { object["features"] = featureCount }
            if let importError { object["error"] = importError }
            print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("format: onnx (IR \(model.irVersion), opset \(model.opsetVersion)\(model.producer.isEmpty ? "" : ", from \(model.producer)"))")
            print("inputs: " + model.feedInputs.map(\.summary).joined(separator: "; "))
            print("outputs: " + model.graph.outputs.map(\.summary).joined(separator: "; "))
            print("nodes: \(model.graph.nodes.count) (" + operators.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")")
            print("parameters: \(model.parameterCount)")
            print(importError.map { "importable: no (\($0))" } ?? "importable: yes (features at the global pool: \(featureCount ?? 0))")
        }
    }

    /// `info --layers NETWORK`: one line (or JSON object) per node.
    private func printLayers() throws {
        let network = try reportingTrainingErrors { try ImageNetwork(contentsOf: file) }
        let summaries = network.graph.layerSummaries
        if json {
            let objects: [[String: Any]] = summaries.map {
                ["number": $0.number, "name": $0.name, "operation": $0.operation, "shape": $0.shape, "weights": $0.weightCount]
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: ["layers": objects], options: [.sortedKeys]), as: UTF8.self))
        } else {
            for summary in summaries {
                let shape = summary.shape.map(String.init).joined(separator: "×")
                print("\(summary.number)\t\(summary.name)\t\(summary.operation)\t\(shape)\t\(summary.weightCount)")
            }
        }
    }
}
