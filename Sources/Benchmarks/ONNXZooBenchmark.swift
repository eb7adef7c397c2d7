import Foundation
import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import ONNXImport

/// `embkit-bench onnx-zoo`: every torchvision classifier of `onnx_zoo.py` beside onnxruntime.
/// For each model and photo: our logits for onnxruntime's own input tensor (top-5 identical, the
/// largest difference relative to the largest logit at most 1e-4), the photos run as one batch
/// (each row against the photo run alone: batch-dependent shapes followed), then the photo read and
/// prepared by us (top-5 against onnxruntime's, and the largest difference from Pillow's input in
/// 0–255 pixel steps); then images per second at batch 1 on
/// the given threads, ours and onnxruntime's (`compare_onnxruntime.py`, same input, same run).
/// A model the importer refuses is listed with its error.
///
/// Options: `--folder DIR` (`/tmp/zoo`: `onnx_zoo.py export` and `reference` output), `--photos DIR`
/// (`../shared/data/images/imagenet/photos`), `--models a,b` (all), `--threads N` (2),
/// `--images N` (8 per timed run), `--runs N` (3), `--python PATH` (`python3`; `none` skips timing).
enum ONNXZooBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let folder = options.string("--folder", default: "/tmp/zoo")
        let photos = options.string("--photos", default: "../shared/data/images/imagenet/photos")
        let reference = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(folder)/reference.json"))) as? [String: Any]
        guard let models = reference?["models"] as? [String: [String: Any]] else { throw BenchmarkError("\(folder)/reference.json: no models") }
        let chosen = options.string("--models", default: "").split(separator: ",").map(String.init)
        let threads = options.integer("--threads", default: 2), python = options.string("--python", default: "python3")
        report(Measurement.machineDescription())
        report("onnxruntime \(reference?["onnxruntime"] as? String ?? "?"); tolerance: top-5 identical, max |difference| ≤ 1e-4 of the largest logit\n")
        report("| model | input | load ms | top-5 (given input) | max rel. difference | batch of 3 vs alone | our preprocessing: top-5, max pixel difference | EmbeddingKit img/s | onnxruntime img/s | ratio |")
        report("|---|---|---|---|---|---|---|---|---|---|")
        for name in models.keys.sorted() where chosen.isEmpty || chosen.contains(name) {
            let path = "\(folder)/\(name).onnx", entries = models[name]?["photos"] as? [String: [String: Any]] ?? [:]
            let start = Date()
            let network: ImageNetwork
            do { network = try ImageNetwork(onnx: path) } catch {
                report("| \(name) | – | – | REFUSED: \(error) | | | | | | |")
                continue
            }
            let loadMilliseconds = Date().timeIntervalSince(start) * 1000
            var sameTopFive = 0, sameEndToEnd = 0, largestDifference = 0.0, largestPixelDifference = 0.0, firstInput: Tensor?
            for photo in entries.keys.sorted() {
                guard let file = entries[photo]?["input"] as? String, let expected = entries[photo]?["logits"] as? [Double] else { continue }
                let input = try ONNXBenchmark.readInput("\(folder)/\(file)", shape: network.inputShape)
                firstInput = firstInput ?? input
                let logits = try network.inference.run([input], parallelism: .serial)[0].matrix.withRow(0) { Array($0) }
                let expectedTop = topFive(expected)
                if topFive(logits.map(Double.init)) == expectedTop { sameTopFive += 1 }
                let largest = expected.map(abs).max() ?? 1
                largestDifference = max(largestDifference, zip(logits, expected).map { abs(Double($0) - $1) }.max()! / largest)
                let images = try ImageSet.read(files: ["\(photos)/\(photo)"], shape: network.inputShape, shorterSide: network.preprocessing.shorterSide).images
                var unused = SplitMix64(seed: 0)
                let prepared = images.tensor(0..<1, normalization: network.preprocessing.normalization, using: &unused)
                let pixelSteps = prepared.withUnsafeBufferPointer { ours in input.withUnsafeBufferPointer { pillow in
                    zip(ours, pillow).map { abs($0 - $1) }.max()! * 0.226 * 255 } }
                largestPixelDifference = max(largestPixelDifference, Double(pixelSteps))
                let ours = try network.inference.run([prepared], parallelism: .serial)[0].matrix.withRow(0) { Array($0) }
                if topFive(ours.map(Double.init)) == expectedTop { sameEndToEnd += 1 }
            }
            guard let input = firstInput else { continue }
            // The photos as one batch through the whole graph (not split into examples): each row as alone.
            let inputs = try entries.keys.sorted().compactMap { entries[$0]?["input"] as? String }
                .map { try ONNXBenchmark.readInput("\(folder)/\($0)", shape: network.inputShape) }
            let batched = try network.inference.run([Tensor(concatenatingRows: inputs)], parallelism: .serial)[0].matrix
            var batchDifference = 0.0
            for (row, single) in inputs.enumerated() {
                let alone = try network.inference.run([single], parallelism: .serial)[0].matrix.withRow(0) { Array($0) }
                batchDifference = max(batchDifference, batched.withRow(row) { zip($0, alone).map { Double(abs($0 - $1)) }.max() ?? 0 })
            }
            let images = options.integer("--images", default: 8), runs = options.integer("--runs", default: 3)
            let ours = try ONNXBenchmark.throughput(network.inference, input: input, batch: 1, threads: threads, images: images, runs: runs)
            var theirs = Double.nan
            if python != "none", let file = entries.values.first?["input"] as? String {
                let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("compare_onnxruntime.py").path
                let measured = try ProcessMeasurement.run([python, script, path, "\(folder)/\(file)", "--batch", "1", "--threads", "\(threads)",
                                                           "--images", "\(images)", "--runs", "\(runs)"])
                theirs = (try JSONSerialization.jsonObject(with: Data(measured.output.utf8)) as? [String: Any])?["images_per_second"] as? Double ?? .nan
            }
            let verdict = sameTopFive == entries.count && largestDifference <= 1e-4 ? "" : " ✗"
            report("| \(name) | \(network.inputShape.height) | \(format(loadMilliseconds, 0)) | \(sameTopFive)/\(entries.count)\(verdict) | "
                + "\(String(format: "%.1e", largestDifference)) | \(String(format: "%.1e", batchDifference)) | \(sameEndToEnd)/\(entries.count), \(format(largestPixelDifference, 1)) | \(format(ours, 1)) | \(format(theirs, 1)) | \(format(ours / theirs, 2))× |")
        }
    }

    private static func topFive(_ values: [Double]) -> [Int] {
        Array(values.indices.sorted { values[$0] > values[$1] }.prefix(5))
    }
}
