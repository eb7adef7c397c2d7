// embkit-bench: EmbeddingKit's benchmarks. Run in a release build:
//   swift run -c release embkit-bench kernels
import Foundation

let benchmarks: [String: (ArraySlice<String>) throws -> Void] = [
    "kernels": KernelBenchmark.run,
    "load": LoadBenchmark.run,
    "neighbors": NeighborsBenchmark.run,
    "compact": CompactBenchmark.run,
    "classify": ClassifyBenchmark.run,
    "fasttext": FastTextBenchmark.run,
    "transfer": TransferBenchmark.run,
    "image": ImageBenchmark.run,
    "onnx": ONNXBenchmark.run,
    "onnx-zoo": ONNXZooBenchmark.run,
    "encoder": EncoderBenchmark.run,
    "elpv": ELPVBenchmark.run,
]

let arguments = CommandLine.arguments.dropFirst()
guard let name = arguments.first, let benchmark = benchmarks[name] else {
    let names = benchmarks.keys.sorted().joined(separator: "|")
    FileHandle.standardError.write(Data("usage: embkit-bench \(names) [options]\n".utf8))
    exit(2)
}
#if DEBUG
FileHandle.standardError.write(Data("warning: debug build; run `swift run -c release embkit-bench ...`\n".utf8))
#endif
do {
    try benchmark(arguments.dropFirst())
} catch {
    FileHandle.standardError.write(Data("embkit-bench: \(error)\n".utf8))
    exit(1)
}
