// swift-tools-version: 6.0
import PackageDescription

/// EmbeddingKit: transfer learning with pre-trained word embeddings (and a small ConvNet), in Swift.
///
/// The hot kernels live in the C target `LinearAlgebraKernels`, compiled for the baseline CPU and
/// with per-function AVX2/FMA and AVX-512 variants chosen at run time. No `unsafeFlags` are used,
/// so the package stays usable as a versioned dependency.
let package = Package(
    name: "EmbeddingKit",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "EmbeddingKit", targets: ["EmbeddingKit"]),
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "NeuralNetworks", targets: ["NeuralNetworks"]),
        .library(name: "EmbeddingStore", targets: ["EmbeddingStore"]),
        .library(name: "TextFeatures", targets: ["TextFeatures"]),
        .library(name: "ImageFeatures", targets: ["ImageFeatures"]),
        .library(name: "ONNXImport", targets: ["ONNXImport"]),
        .library(name: "ONNXExport", targets: ["ONNXExport"]),
        .library(name: "Classifiers", targets: ["Classifiers"]),
        .library(name: "TransferLearning", targets: ["TransferLearning"]),
        .library(name: "Plots", targets: ["Plots"]),
        .executable(name: "embkit", targets: ["EmbeddingKitCLI"]),
        .executable(name: "embkit-bench", targets: ["Benchmarks"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // `swift package generate-documentation`: the DocC catalogs under each library's folder.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "LinearAlgebraKernels"),
        .target(name: "LinearAlgebra", dependencies: ["LinearAlgebraKernels"]),
        .target(name: "NeuralNetworks", dependencies: ["LinearAlgebra"]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),
        .target(name: "EmbeddingStore", dependencies: ["LinearAlgebra", "LinearAlgebraKernels", "CZlib"]),
        .target(name: "TextFeatures", dependencies: ["EmbeddingStore", "NeuralNetworks", "LinearAlgebra"]),
        // PNG and JPEG through the system's libpng and libjpeg-turbo: a missing one is named with its package.
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),
        .target(name: "ImageCodecs", dependencies: ["CLibPNG", "CLibJPEG"]),
        .target(name: "ImageFeatures", dependencies: ["NeuralNetworks", "LinearAlgebra", "CZlib", "ImageCodecs"]),
        // ONNX files are decoded by a small hand-written protobuf reader (ProtobufReader.swift).
        .target(name: "ONNXImport", dependencies: ["NeuralNetworks", "LinearAlgebra"]),
        .target(name: "Classifiers", dependencies: ["NeuralNetworks", "LinearAlgebra"]),
        .target(
            name: "TransferLearning",
            dependencies: ["Classifiers", "NeuralNetworks", "TextFeatures", "ImageFeatures", "ONNXImport", "EmbeddingStore", "LinearAlgebra"]),
        // Trained models as ONNX files, written by a small protobuf encoder (ProtobufWriter.swift).
        .target(name: "ONNXExport", dependencies: ["TransferLearning", "NeuralNetworks", "EmbeddingStore", "LinearAlgebra"]),
        // Self-contained SVG pictures: confusion matrices, training curves, word maps.
        .target(name: "Plots"),
        // The umbrella module: `import EmbeddingKit` re-exports every library.
        .target(name: "EmbeddingKit", dependencies: ["Classifiers", "EmbeddingStore", "ImageFeatures", "LinearAlgebra", "NeuralNetworks",
                                                      "ONNXExport", "ONNXImport", "Plots", "TextFeatures", "TransferLearning"]),
        // `embkit serve`: the only target on Hummingbird (and SwiftNIO), so the libraries stay free of it.
        .target(name: "EmbeddingKitServer",
                dependencies: ["EmbeddingStore", "TransferLearning", .product(name: "Hummingbird", package: "hummingbird")]),
        .executableTarget(
            name: "EmbeddingKitCLI",
            dependencies: [
                "EmbeddingKitServer", "LinearAlgebra", "NeuralNetworks", "EmbeddingStore", "TextFeatures", "ImageFeatures", "ONNXImport", "ONNXExport", "Classifiers", "TransferLearning",
                "Plots",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Readers fed arbitrary bytes; `Fuzz/run.sh` builds it with libFuzzer and AddressSanitizer.
        .executableTarget(name: "EmbeddingKitFuzz",
                          dependencies: ["EmbeddingStore", "TextFeatures", "ImageFeatures", "NeuralNetworks", "ONNXImport", "TransferLearning"]),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["LinearAlgebra", "LinearAlgebraKernels", "NeuralNetworks", "EmbeddingStore", "TextFeatures", "ImageFeatures",
                           "Classifiers", "ONNXImport", "TransferLearning"],
            exclude: ["compare_sklearn.py", "compare_tfidf.py", "compare_torch_convnet.py", "compare_onnxruntime.py", "onnxruntime_photos.py", "make_png_folders.py",
                      "check_onnx_export.py", "onnx_zoo.py", "shared_pages.py", "serve", "elpv_prepare.py", "compare_torch_elpv.py"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "LinearAlgebraKernels"]),
        .testTarget(name: "NeuralNetworksTests", dependencies: ["NeuralNetworks", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "EmbeddingStoreTests", dependencies: ["EmbeddingStore", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ImageFeaturesTests", dependencies: ["ImageFeatures", "NeuralNetworks", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ONNXImportTests", dependencies: ["ONNXImport", "TransferLearning", "ImageFeatures", "NeuralNetworks", "LinearAlgebra"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ONNXExportTests",
                    dependencies: ["ONNXExport", "ONNXImport", "TransferLearning", "Classifiers", "ImageFeatures", "TextFeatures", "EmbeddingStore",
                                   "NeuralNetworks", "LinearAlgebra"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotsTests", dependencies: ["Plots"]),
        .testTarget(name: "TextFeaturesTests", dependencies: ["TextFeatures", "EmbeddingStore", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ClassifiersTests", dependencies: ["Classifiers", "NeuralNetworks", "LinearAlgebra"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TransferLearningTests",
                    dependencies: ["TransferLearning", "NeuralNetworks", "TextFeatures", "ImageFeatures", "EmbeddingStore", "Classifiers", "LinearAlgebra"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "EmbeddingKitTests", dependencies: ["EmbeddingKit"]),
        .testTarget(name: "EmbeddingKitCLITests", dependencies: ["EmbeddingKitCLI"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
