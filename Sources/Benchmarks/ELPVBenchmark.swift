import Foundation

/// `embkit-bench elpv`: transfer from ImageNet to a very different domain — solar-cell
/// electroluminescence images (PyPI `elpv-dataset`, defective vs functional, the split of
/// `elpv_prepare.py`: 1,968 training and 656 test cells) — from torchvision's MobileNetV2 weights,
/// by every strategy through `embkit image train` (each run a child process: test accuracy,
/// macro-F1, training time, peak RSS), beside PyTorch 1.13 with the same weights, images and
/// recipe (`compare_torch_elpv.py`). First, the training throughput of a whole-network fine-tune
/// step, ours and PyTorch's, at the same batch size, input size and threads.
///
/// Options: `--data DIR` (`/tmp/elpv-bench`, prepared by `elpv_prepare.py` when missing),
/// `--embkit PATH` (the `embkit` beside this binary), `--torch PYTHON` (`/usr/bin/python3`;
/// `none` to skip), `--threads N` (2), `--throughput-size N` (224), `--batch N` (32), `--steps N`
/// (4), `--strategies LIST` (fixed, top2, from-block14, all-defaults, all, lp-ft, combine, auto),
/// `--throughput-only`, `--skip-throughput`.
enum ELPVBenchmark {
    /// One recipe: the `embkit image train` options and, when PyTorch runs it too, its options.
    struct Recipe {
        let name: String
        let options: [String]
        let torch: [String]?
    }

    /// The recipes, with the shared settings of the whole-network runs: 160 × 160 whole cells,
    /// AdamW, warm-up + cosine, batches of 32, the eight symmetries of the square, 6 epochs.
    static let recipes: [Recipe] = {
        let whole = ["--geometry", "whole"]
        let allLayers = whole + ["--input-size", "160", "--optimizer", "adamw", "--schedule", "cosine", "--batch-size", "32",
                                 "--flips", "--quarter-turns", "--epochs", "6"]
        let torchAll = ["--size", "160", "--optimizer", "adamw", "--schedule", "cosine", "--batch", "32", "--flips", "--epochs", "6"]
        return [
            Recipe(name: "fixed", options: whole + ["--strategy", "fixed-features"], torch: nil),
            Recipe(name: "top2", options: whole + ["--strategy", "fine-tune", "--trainable", "top", "2", "--epochs", "30"],
                   torch: ["--size", "224", "--trainable", "top 2", "--optimizer", "adam", "--batch", "64", "--epochs", "30"]),
            Recipe(name: "from-block14", options: whole + ["--strategy", "fine-tune", "--trainable", "from", "/features/features.14/conv/conv.0/conv.0.0/Conv",
                                                           "--base-rate-factor", "1", "--epochs", "10"], torch: nil),
            // The tool's defaults for fine-tuning every layer (at this size: 7 epochs, base layers at 0.3 × the rate).
            Recipe(name: "all-defaults", options: whole + ["--strategy", "fine-tune", "--trainable", "all"],
                   torch: ["--size", "224", "--optimizer", "adamw", "--schedule", "cosine", "--batch", "32", "--epochs", "7",
                           "--trainable", "all", "--base-rate-factor", "0.3"]),
            Recipe(name: "all", options: allLayers + ["--strategy", "fine-tune", "--trainable", "all", "--base-rate-factor", "1"],
                   torch: torchAll + ["--trainable", "all", "--base-rate-factor", "1"]),
            Recipe(name: "lp-ft", options: allLayers + ["--strategy", "fine-tune", "--trainable", "all", "--base-rate-factor", "0.3",
                                                        "--linear-probe-epochs", "2"], torch: nil),
            Recipe(name: "combine", options: whole + ["--strategy", "combine"], torch: nil),
            Recipe(name: "auto", options: whole + ["--strategy", "auto"], torch: nil),
        ]
    }()

    static func run(_ arguments: ArraySlice<String>) throws {
        let options = BenchmarkOptions(arguments)
        let data = options.string("--data", default: "/tmp/elpv-bench")
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let python = options.string("--torch", default: "/usr/bin/python3")
        if !FileManager.default.fileExists(atPath: "\(data)/mobilenet_v2_bn.onnx") {
            _ = try ProcessMeasurement.run(["/usr/bin/python3", here.appendingPathComponent("elpv_prepare.py").path, data])
        }
        let embkit = options.string("--embkit", default: URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("embkit").path)
        let threads = options.string("--threads", default: "2")
        report(Measurement.machineDescription())
        if !options.flag("--skip-throughput") {
            try throughput(embkit: embkit, data: data, python: python, threads: threads, size: options.string("--throughput-size", default: "224"),
                           batch: options.integer("--batch", default: 32), steps: options.integer("--steps", default: 4),
                           script: here.appendingPathComponent("compare_torch_elpv.py").path)
        }
        guard !options.flag("--throughput-only") else { return }
        let chosen = Set(options.string("--strategies", default: recipes.map(\.name).joined(separator: ",")).split(separator: ",").map(String.init))
        report("\n| recipe | EmbeddingKit accuracy | macro-F1 | train s | peak RSS MiB | PyTorch accuracy | macro-F1 | train s | peak RSS MiB |")
        report("|---|---|---|---|---|---|---|---|---|")
        for recipe in recipes where chosen.contains(recipe.name) {
            let ours = try ProcessMeasurement.run([embkit, "image", "train", "--backbone", "\(data)/mobilenet_v2_bn.onnx", "--train", "\(data)/train",
                                                   "--test", "\(data)/test", "--json", "--seed", "7", "--threads", threads,
                                                   "--output", "/tmp/elpv-\(recipe.name).ekm"] + recipe.options)
            let result = try JSONSerialization.jsonObject(with: Data(ours.output.utf8)) as? [String: Any] ?? [:]
            var cells = [format(result["accuracy"] as? Double ?? .nan, 4), format(result["macro_f1"] as? Double ?? .nan, 4),
                         format(trainSeconds(ours.errorOutput), 0), format(Double(ours.peakRSSBytes) / 1_048_576, 0)]
            if let torchOptions = recipe.torch, python != "none" {
                let theirs = try ProcessMeasurement.run([python, here.appendingPathComponent("compare_torch_elpv.py").path, data, "--mode", "train",
                                                         "--threads", threads, "--seed", "7"] + torchOptions)
                let torch = try JSONSerialization.jsonObject(with: Data(theirs.output.utf8)) as? [String: Any] ?? [:]
                cells += [format(torch["accuracy"] as? Double ?? .nan, 4), format(torch["macro_f1"] as? Double ?? .nan, 4),
                          format(torch["train_seconds"] as? Double ?? .nan, 0), format(Double(theirs.peakRSSBytes) / 1_048_576, 0)]
            } else {
                cells += ["—", "—", "—", "—"]
            }
            report("| \(recipe.name) | " + cells.joined(separator: " | ") + " |")
            report("  embkit image train " + recipe.options.joined(separator: " "))
        }
    }

    /// Images per second of whole-network fine-tuning steps: ours from two runs of `embkit image
    /// train` (one step, and `steps` more; the difference is the steps' time), PyTorch's from its
    /// own timing of the same steps.
    private static func throughput(embkit: String, data: String, python: String, threads: String, size: String, batch: Int, steps: Int,
                                   script: String) throws {
        func ours(_ count: Int) throws -> ProcessMeasurement {
            try ProcessMeasurement.run([embkit, "image", "train", "--backbone", "\(data)/mobilenet_v2_bn.onnx", "--train", "\(data)/train",
                                        "--per-class", "\(count * batch / 2)", "--input-size", size, "--geometry", "whole", "--strategy", "fine-tune",
                                        "--trainable", "all", "--epochs", "1", "--batch-size", "\(batch)", "--threads", threads,
                                        "--output", "/tmp/elpv-throughput.ekm"])
        }
        let one = try ours(1), more = try ours(steps + 1)
        let imagesPerSecond = Double(steps * batch) / max(1e-9, trainSeconds(more.errorOutput) - trainSeconds(one.errorOutput))
        var torch = Double.nan, torchRSS = Double.nan
        if python != "none" {
            let measured = try ProcessMeasurement.run([python, script, data, "--mode", "throughput", "--size", size, "--batch", "\(batch)",
                                                       "--steps", "\(steps)", "--threads", threads])
            let json = try JSONSerialization.jsonObject(with: Data(measured.output.utf8)) as? [String: Any] ?? [:]
            torch = json["images_per_second"] as? Double ?? .nan
            torchRSS = Double(measured.peakRSSBytes) / 1_048_576
        }
        report("whole MobileNetV2 fine-tuning steps at \(size) × \(size), batch \(batch), \(threads) thread(s), \(steps) steps after one:")
        report("| | images/s | peak RSS MiB |")
        report("|---|---|---|")
        report("| EmbeddingKit | \(format(imagesPerSecond, 1)) | \(format(Double(more.peakRSSBytes) / 1_048_576, 0)) |")
        report("| PyTorch | \(format(torch, 1)) | \(format(torchRSS, 0)) |")
        report("| ratio | \(format(imagesPerSecond / torch, 2))× | |")
    }

    /// The seconds `embkit image train` reports on its summary line (`… in 12.3 s; wrote …`).
    private static func trainSeconds(_ errorOutput: String) -> Double {
        guard let line = errorOutput.split(separator: "\n").last(where: { $0.hasPrefix("trained ") }),
              let range = line.range(of: #" in ([0-9.]+) s"#, options: .regularExpression) else { return .nan }
        return Double(line[range].dropFirst(4).dropLast(2)) ?? .nan
    }
}
