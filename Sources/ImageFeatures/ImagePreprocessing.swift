import NeuralNetworks

/// How a photo becomes a network input: scaled so its shorter side is `shorterSide` (Pillow's
/// antialiased bilinear resize, as torchvision's `Resize`), cropped around its centre to the
/// network's input size (torchvision's `CenterCrop`, ties to even), then normalised per channel.
public struct ImagePreprocessing: Sendable, Hashable, Codable {
    /// The length the shorter side is scaled to before the centre crop (nil: straight to the input size).
    public var shorterSide: Int?
    /// The per-channel normalisation.
    public var normalization: PixelNormalization
    /// The preset's name, when it is one (recorded with models).
    public var presetName: String?

    /// Preprocessing from its parts.
    public init(shorterSide: Int?, normalization: PixelNormalization, presetName: String? = nil) {
        self.shorterSide = shorterSide
        self.normalization = normalization
        self.presetName = presetName
    }

    /// torchvision's ImageNet recipe: shorter side 256, centre crop 224, `(x/255 − mean) / std`
    /// with mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225) — what MobileNetV2, ResNets and
    /// most PyTorch ImageNet models expect.
    public static let torchvision = ImagePreprocessing(
        shorterSide: 256, normalization: PixelNormalization(mean: [0.485, 0.456, 0.406], deviation: [0.229, 0.224, 0.225]),
        presetName: "torchvision")

    /// The TensorFlow Lite recipe of EfficientNet-Lite and MobileNets from TF: shorter side 256,
    /// centre crop 224, `(x − 127) / 128`.
    public static let tensorFlowLite = ImagePreprocessing(
        shorterSide: 256, normalization: PixelNormalization(mean: [127.0 / 255, 127.0 / 255, 127.0 / 255],
                                                            deviation: [128.0 / 255, 128.0 / 255, 128.0 / 255]),
        presetName: "tflite")

    /// The presets by name.
    public static let presets: [String: ImagePreprocessing] = ["torchvision": .torchvision, "tflite": .tensorFlowLite]

    /// The input side the presets' shorter side is given for (their crop takes 224/256 of it).
    public static let presetInputSide = 224

    /// This preset for a network whose input is `height` × `width`: the shorter side scaled with
    /// the input so the crop keeps the same share of the photo (torchvision's 256 for a 224 input
    /// becomes 342 for InceptionV3's 299, as torchvision's own transforms for it do), never below
    /// the input.
    public func scaled(toInputHeight height: Int, width: Int) -> ImagePreprocessing {
        guard let side = shorterSide else { return self }
        var scaled = self
        let share = Double(max(height, width)) / Double(Self.presetInputSide)
        scaled.shorterSide = max(height, width, Int((Double(side) * share).rounded()))
        return scaled
    }
}
