import EmbeddingStore
import Foundation
import ImageFeatures
import NeuralNetworks
import ONNXImport
import TextFeatures
import TransferLearning

/// One reader fed arbitrary bytes. Every input must end in a value or a thrown error: a trap,
/// a sanitizer report or a hang is a finding (`Fuzz/run.sh` builds this with libFuzzer and
/// AddressSanitizer; without them it replays files, see `Replay`).
enum FuzzTarget: String, CaseIterable {
    case word2vecBinary = "word2vec-binary", word2vecText = "word2vec-text", glove, fasttextVec = "fasttext-vec"
    case fasttextBinary = "fasttext-bin", native, gzip, fasttextModel = "fasttext-model", corpus, model, png, jpeg, idx, onnx

    /// The file extension the input is written under (some readers choose by it).
    var fileExtension: String {
        switch self {
        case .word2vecBinary, .fasttextBinary: "bin"
        case .word2vecText, .glove: "txt"
        case .fasttextVec: "vec"
        case .native: "ekv"
        case .gzip: "txt.gz"
        case .fasttextModel: "ftz"
        case .corpus: "txt"
        case .model: "ekm"
        case .png: "png"
        case .jpeg: "jpg"
        case .idx: "idx"
        case .onnx: "onnx"
        }
    }

    /// Reads the file at `path` with this target's reader and uses what it returns.
    func run(_ path: String) {
        do {
            switch self {
            case .word2vecBinary, .word2vecText, .glove, .fasttextVec, .fasttextBinary, .native, .gzip:
                let format: EmbeddingFormat? = switch self {
                case .word2vecBinary: .word2vecBinary
                case .word2vecText: .word2vecText
                case .glove: .glove
                case .fasttextVec: .fasttextVec
                case .fasttextBinary: .fasttextBin
                case .native: .native
                default: nil
                }
                let embeddings = try WordEmbeddings(contentsOf: path, options: LoadOptions(format: format, limit: 10_000))
                if embeddings.count > 0 {
                    _ = embeddings.vector(at: embeddings.count - 1)
                    _ = embeddings.nearestNeighbors(of: embeddings.vocabulary.word(at: 0), k: 3)
                }
                _ = embeddings.vector(for: "unknown-word")
            case .fasttextModel:
                let model = TransferModel(fastText: try FastTextSupervisedModel(contentsOf: path))
                _ = try model.predict("hello world and more words", k: 2)
            case .corpus:
                for format in [CorpusFormat.fasttext, .tsv, .csv] {
                    _ = try? CorpusReader(path: path, format: format, badLines: .skip).forEachDocument { _ in }
                }
            case .model:
                let model = try TransferModel(contentsOf: path)
                if let shape = model.imageInputShape {
                    let images = ImageSet(shape: shape, pixels: [UInt8](repeating: 128, count: shape.count), labels: [0],
                                          classNames: model.labels, sources: ["x"])
                    _ = try model.probabilities(for: images)
                } else {
                    _ = try model.predict("hello world", k: 1)
                }
            case .png, .jpeg:
                let image = try DecodedImage(contentsOf: path)
                _ = image.fitted(to: MapShape(channels: 3, height: 8, width: 8), shorterSide: 9)
            case .idx:
                _ = try IDXFile(contentsOf: path)
            case .onnx:
                let network = try ImageNetwork(onnx: path)
                if network.inputShape.count <= 1 << 16 {
                    let images = ImageSet(shape: network.inputShape, pixels: [UInt8](repeating: 7, count: network.inputShape.count),
                                          labels: [0], classNames: ["a"], sources: ["x"])
                    _ = try network.probabilities(of: images)
                }
            }
        } catch {
            // A thrown error is the expected way to refuse bad bytes.
        }
    }

    /// The target named by `EMBKIT_FUZZ_TARGET`.
    static var current: FuzzTarget {
        let name = ProcessInfo.processInfo.environment["EMBKIT_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            FileHandle.standardError.write(Data("set EMBKIT_FUZZ_TARGET to one of: \(allCases.map(\.rawValue).joined(separator: " "))\n".utf8))
            exit(2)
        }
        return target
    }

    /// Writes `bytes` where this process's inputs go (in memory when /dev/shm exists) and runs the target.
    func run(bytes: UnsafeRawBufferPointer) {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(folder)/embkit-fuzz-\(getpid()).\(fileExtension)"
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
        run(path)
    }
}
