import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import ONNXImport

/// `embkit-bench onnx`: an ImageNet ONNX model on the shared core beside onnxruntime. First the
/// logits of a preprocessed input tensor against onnxruntime's reference logits (largest
/// absolute difference, relative to the largest logit, and whether the top 5 agree); then
/// images per second at batch 1 and 16 on 1 and 2 threads, ours and onnxruntime's
/// (`compare_onnxruntime.py`, same input, same run), and both peak RSS.
///
/// Options: `--model PATH` (an ONNX file), `--input PATH` (raw float32 1 × 3 × 224 × 224),
/// `--reference PATH` (`reference_outputs.json` of `../shared/data/images/imagenet`),
/// `--photo NAME` (`chelsea.png`), `--images N` (128 per timed run), `--runs N` (5),
/// `--python PATH` (`python3`; `none` to skip onnxruntime), `--only B,T` (one batch size and thread count).
enum ONNXBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let folder = "../shared/data/images/imagenet"
        let modelPath = options.string("--model", default: "\(folder)/mobilenet_v2.onnx")
        let modelName = URL(fileURLWithPath: modelPath).deletingPathExtension().lastPathComponent
        let inputPath = options.string("--input", default: "\(folder)/chelsea_input_\(modelName).f32")
        report(Measurement.machineDescription())
        let loadStart = Date()
        let network = try ImageNetwork(onnx: modelPath)
        report("\(modelPath): \(network.graph.nodes.count) nodes, input \(network.inputShape), "
            + "\(format(Double(network.graph.multiplyAdds) / 1e6, 1)) M multiply-adds per image; loaded in "
            + "\(format(Date().timeIntervalSince(loadStart) * 1000, 1)) ms")
        let input = try readInput(inputPath, shape: network.inputShape)
        let logits = try network.inference.run([input], parallelism: .serial)[0].matrix
        let referencePath = options.string("--reference", default: "\(folder)/reference_outputs.json")
        if FileManager.default.fileExists(atPath: referencePath) {
            try compare(logits, reference: referencePath, photo: options.string("--photo", default: "chelsea.png"), model: modelName)
        }
        let images = options.integer("--images", default: 128), runs = options.integer("--runs", default: 5)
        report("\n| batch | threads | EmbeddingKit images/s | onnxruntime images/s | ratio |")
        report("|---|---|---|---|---|")
        let python = options.string("--python", default: "python3")
        let configurations = options.string("--only", default: "").split(separator: ",").compactMap { Int($0) }
        for (batch, threads) in configurations.count == 2 ? [(configurations[0], configurations[1])] : [(1, 1), (16, 1), (1, 2), (16, 2)] {
            let ours = try throughput(network.inference, input: input, batch: batch, threads: threads, images: images, runs: runs)
            var theirs = Double.nan
            if python != "none" {
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("compare_onnxruntime.py").path
                let measured = try ProcessMeasurement.run([python, script, modelPath, inputPath, "--batch", "\(batch)", "--threads", "\(threads)",
                                                           "--images", "\(images)", "--runs", "\(runs)"])
                let json = try JSONSerialization.jsonObject(with: Data(measured.output.utf8)) as? [String: Any] ?? [:]
                theirs = json["images_per_second"] as? Double ?? .nan
                if batch == 1 && threads == 1 { report("onnxruntime \(json["version"] as? String ?? "?") peak RSS \(format(Double(measured.peakRSSBytes) / 1_048_576, 0)) MiB") }
            }
            report("| \(batch) | \(threads) | \(format(ours, 1)) | \(format(theirs, 1)) | \(format(ours / theirs, 2))× |")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        report("peak RSS: EmbeddingKit (this whole benchmark process) \(format(Double(usage.ru_maxrss) / 1024, 0)) MiB")
    }

    static func readInput(_ path: String, shape: MapShape) throws -> Tensor {
        guard let data = FileManager.default.contents(atPath: path), data.count == shape.count * 4 else {
            throw BenchmarkError("\(path): expected \(shape.count) float32 values")
        }
        let values = data.withUnsafeBytes { bytes in (0..<shape.count).map { Float(bitPattern: bytes.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) } }
        return Tensor(shape: [1, shape.channels, shape.height, shape.width], elements: values)
    }

    private static func compare(_ logits: Matrix, reference path: String, photo: String, model: String) throws {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        guard let photos = json?["photos"] as? [String: Any], let entry = photos[photo] as? [String: Any],
              let models = entry["models"] as? [String: Any], let reference = models[model] as? [String: Any],
              let expected = reference["logits"] as? [Double] else { throw BenchmarkError("\(path): no logits for \(photo) / \(model)") }
        let ours = logits.withRow(0) { Array($0) }
        let largest = expected.map(abs).max() ?? 1
        let difference = zip(ours, expected).map { abs(Double($0) - $1) }.max() ?? .nan
        let topOurs = ours.withUnsafeBufferPointer { Kernels.topK($0, k: 5).map(\.index) }
        let topTheirs = expected.indices.sorted { expected[$0] > expected[$1] }.prefix(5)
        report("logits vs onnxruntime (\(photo)): max |difference| \(String(format: "%.2e", difference)) "
            + "(\(String(format: "%.2e", difference / largest)) of the largest \(format(largest, 2))); top-5 "
            + (Array(topTheirs) == topOurs ? "identical" : "DIFFERENT: ours \(topOurs), onnxruntime \(Array(topTheirs))"))
    }

    /// Images per second: the median of `runs` runs of `images` images in batches of `batch`.
    static func throughput(_ network: Graph, input: Tensor, batch: Int, threads: Int, images: Int, runs: Int) throws -> Double {
        let batchInput = Tensor(concatenatingRows: [Tensor](repeating: input, count: batch))
        let parallelism = Parallelism(threadCount: threads)
        let calls = max(1, images / batch)
        var failure: (any Error)?
        let seconds = Measurement.medianSeconds(repetitions: runs) {
            for _ in 0..<calls {
                do { _ = try network.runSplittingBatch([batchInput], parallelism: parallelism) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        return Double(calls * batch) / seconds
    }
}
