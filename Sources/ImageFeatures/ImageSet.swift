import LinearAlgebra
import NeuralNetworks

/// Labelled images of one shape, stored compactly as bytes (one per channel value, NCHW), so a
/// set of tens of thousands of images costs its pixel count, not four times it as floats.
public struct ImageSet: Sendable {
    /// The shape of every image (channels × height × width).
    public let shape: MapShape
    /// Every image's bytes, one after another.
    public let pixels: [UInt8]
    /// Each image's class index into `classNames`.
    public let labels: [Int]
    /// The class names, by class index.
    public let classNames: [String]
    /// Where each image came from (a file path, or `file#index` inside an IDX file).
    public let sources: [String]

    /// A set from its parts.
    /// - Precondition: one shape of bytes, one label and one source per image; labels index `classNames`.
    public init(shape: MapShape, pixels: [UInt8], labels: [Int], classNames: [String], sources: [String]) {
        precondition(pixels.count == labels.count * shape.count && sources.count == labels.count
                     && labels.allSatisfy { $0 >= 0 && $0 < classNames.count }, "ImageSet: inconsistent parts")
        self.shape = shape
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
        self.sources = sources
    }

    /// The number of images.
    public var count: Int { labels.count }

    /// Reads an IDX image file (images × rows × columns, grayscale) and its IDX label file.
    /// Class names are the label values unless `classNames` gives them (one per label value).
    /// - Throws: `ImageFileError` for a bad file, counts that disagree, or a label without a name.
    public init(idxImages imagesPath: String, labels labelsPath: String, classNames: [String]? = nil) throws {
        let images = try IDXFile(contentsOf: imagesPath), labelFile = try IDXFile(contentsOf: labelsPath)
        guard images.dimensions.count == 3 else {
            throw ImageFileError(path: imagesPath, byteOffset: 3, message: "IDX images have 3 dimensions (images × rows × columns), not \(images.dimensions.count)")
        }
        guard labelFile.dimensions == [images.dimensions[0]] else {
            throw ImageFileError(path: labelsPath, byteOffset: 4,
                                 message: "\(labelFile.dimensions.map(String.init).joined(separator: " × ")) labels for \(images.dimensions[0]) images")
        }
        let labels = labelFile.values.map(Int.init)
        let names = classNames ?? (0...(labels.max() ?? 0)).map(String.init)
        if let bad = labels.firstIndex(where: { $0 >= names.count }) {
            throw ImageFileError(path: labelsPath, byteOffset: 8 + bad, message: "label \(labels[bad]) has no class name (\(names.count) given)")
        }
        self.init(shape: MapShape(channels: 1, height: images.dimensions[1], width: images.dimensions[2]), pixels: images.values,
                  labels: labels, classNames: names, sources: labels.indices.map { "\(imagesPath)#\($0)" })
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: some Sequence<Int>) -> ImageSet {
        var pixels: [UInt8] = [], labels: [Int] = [], sources: [String] = []
        for index in indices {
            pixels.append(contentsOf: self.pixels[(index * shape.count)..<((index + 1) * shape.count)])
            labels.append(self.labels[index])
            sources.append(self.sources[index])
        }
        return ImageSet(shape: shape, pixels: pixels, labels: labels, classNames: classNames, sources: sources)
    }

    /// Only the images of `classes` (class indices), relabelled `0..<classes.count` in that order.
    public func keeping(classes: [Int]) -> ImageSet {
        let position = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let kept = subset(labels.indices.filter { position[labels[$0]] != nil })
        return ImageSet(shape: shape, pixels: kept.pixels, labels: kept.labels.map { position[$0]! },
                        classNames: classes.map { classNames[$0] }, sources: kept.sources)
    }

    /// At most `perClass` images of every class, drawn with `seed` (classes keep their order).
    public func sample(perClass: Int, seed: UInt64) -> ImageSet {
        var generator = SplitMix64(seed: seed)
        var byClass = [[Int]](repeating: [], count: classNames.count)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        let chosen = byClass.flatMap { members in members.shuffled(using: &generator).prefix(perClass).sorted() }
        return subset(chosen.sorted())
    }

    /// Splits off a `share` of every class (drawn with `seed`): (the rest, the held-out part).
    public func split(holdingOut share: Double, seed: UInt64) -> (kept: ImageSet, heldOut: ImageSet) {
        var generator = SplitMix64(seed: seed)
        var byClass = [[Int]](repeating: [], count: classNames.count)
        for (index, label) in labels.enumerated() { byClass[label].append(index) }
        var held: [Int] = [], kept: [Int] = []
        for members in byClass {
            let shuffled = members.shuffled(using: &generator)
            let cut = Int((Double(members.count) * share).rounded())
            held += shuffled.prefix(cut)
            kept += shuffled.dropFirst(cut)
        }
        return (subset(kept.sorted()), subset(held.sorted()))
    }

    /// Every image resized and converted to `shape` as `DecodedImage.fitted(to:shorterSide:)` does
    /// (e.g. 28 × 28 gray digits for a 3 × 224 × 224 ImageNet network), on all cores.
    public func fitted(to target: MapShape, shorterSide: Int? = nil) -> ImageSet {
        guard target != shape || shorterSide != nil else { return self }
        var fitted = [UInt8](repeating: 0, count: count * target.count)
        let source = shape
        pixels.withUnsafeBufferPointer { bytes in
            fitted.withUnsafeMutableBufferPointer { output in
                let input = SharedReadOnlyPointer(base: UnsafeRawPointer(bytes.baseAddress!)), result = SharedPointer(base: output.baseAddress!)
                Parallelism.available.forEachChunk(of: count) { range in
                    for index in range {
                        // Planar (CHW) bytes back to the interleaved layout a decoded image has.
                        let planar = UnsafeBufferPointer(start: input.base.assumingMemoryBound(to: UInt8.self) + index * source.count, count: source.count)
                        var interleaved = [UInt8](repeating: 0, count: source.count)
                        for channel in 0..<source.channels {
                            for position in 0..<source.spatialCount {
                                interleaved[position * source.channels + channel] = planar[channel * source.spatialCount + position]
                            }
                        }
                        let image = DecodedImage(width: source.width, height: source.height, channels: source.channels, pixels: interleaved)
                        let bytes = image.fitted(to: target, shorterSide: shorterSide)
                        (result.base + index * target.count).update(from: bytes, count: bytes.count)
                    }
                }
            }
        }
        return ImageSet(shape: target, pixels: fitted, labels: labels, classNames: classNames, sources: sources)
    }

    /// How many images each class has.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[label] += 1 }
        return counts
    }
}
