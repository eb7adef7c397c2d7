import Foundation
@testable import ImageFeatures
import LinearAlgebra
import NeuralNetworks
import Testing

/// A scratch folder removed by the caller's `defer`.
func scratchFolder(_ name: String) throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-\(name)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// An IDX file's bytes: the magic, the dimensions, the values.
func idxBytes(_ dimensions: [Int], _ values: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
    for size in dimensions { withUnsafeBytes(of: UInt32(size).bigEndian) { bytes += $0 } }
    return bytes + values
}

@Suite("IDX files and image folders are read, checked and subset")
struct ImageSetTests {
    @Test("an IDX pair reads with its classes.txt; labels, shapes and subsets agree")
    func readsIDX() throws {
        let folder = try scratchFolder("idx")
        defer { try? FileManager.default.removeItem(at: folder) }
        let pixels = (0..<(6 * 4 * 5)).map { UInt8($0 % 256) }
        try Data(idxBytes([6, 4, 5], pixels)).write(to: folder.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(idxBytes([6], [0, 1, 2, 0, 1, 2])).write(to: folder.appendingPathComponent("train-labels-idx1-ubyte"))
        try Data("zero\none\ntwo\n".utf8).write(to: folder.appendingPathComponent("classes.txt"))
        let (images, skipped) = try ImageSet.read(folder.appendingPathComponent("train-images-idx3-ubyte").path)
        #expect(skipped == 0 && images.count == 6 && images.shape == MapShape(channels: 1, height: 4, width: 5))
        #expect(images.classNames == ["zero", "one", "two"] && images.labels == [0, 1, 2, 0, 1, 2])
        #expect(Array(images.pixels) == pixels)
        let kept = images.keeping(classes: [2, 0])
        #expect(kept.classNames == ["two", "zero"] && kept.labels == [1, 0, 1, 0] && kept.classCounts == [2, 2])
        #expect(images.sample(perClass: 1, seed: 3).classCounts == [1, 1, 1])
        let (rest, held) = images.split(holdingOut: 0.5, seed: 3)
        #expect(rest.classCounts == [1, 1, 1] && held.classCounts == [1, 1, 1])
    }

    @Test("hostile IDX files are errors naming the file and byte", arguments: [
        ("bad magic", [1, 0, 8, 1, 0, 0, 0, 1, 0], 0),
        ("element type", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0], 2),
        ("too many dimensions", [0, 0, 8, 9], 3),
        ("truncated values", [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3], nil),
        ("huge dimensions", [0, 0, 8, 3, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF], nil),
    ] as [(String, [UInt8], Int?)])
    func refusesHostileIDX(name: String, bytes: [UInt8], offset: Int?) throws {
        let folder = try scratchFolder("idx-bad")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("bad-images").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try IDXFile(contentsOf: path)
            Issue.record("\(name) was accepted")
        } catch let error as ImageFileError {
            #expect(error.path == path, "\(name)")
            if let offset { #expect(error.byteOffset == offset, "\(name): \(error)") }
        }
    }

    @Test("labels that disagree with the images are refused")
    func refusesMismatchedLabels() throws {
        let folder = try scratchFolder("idx-labels")
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(idxBytes([2, 2, 2], [UInt8](repeating: 9, count: 8))).write(to: folder.appendingPathComponent("a-images"))
        try Data(idxBytes([3], [0, 1, 0])).write(to: folder.appendingPathComponent("a-labels"))
        #expect(throws: ImageFileError.self) { try ImageSet.read(folder.appendingPathComponent("a-images").path) }
    }

    @Test("a folder per label reads PNG and JPEG fitted to one shape; a corrupt image fails naming it, or is skipped and counted")
    func readsFolders() throws {
        let folder = try scratchFolder("folder")
        defer { try? FileManager.default.removeItem(at: folder) }
        let manager = FileManager.default
        for (label, files) in [("cats", ["rgb8.png", "rgb.jpg"]), ("dogs", ["gray8.png", "palette.png", "scene.png"])] {
            let classFolder = folder.appendingPathComponent(label)
            try manager.createDirectory(at: classFolder, withIntermediateDirectories: true)
            for file in files { try manager.copyItem(atPath: ImageGolden.path(file), toPath: classFolder.appendingPathComponent(file).path) }
        }
        try Data("not an image".utf8).write(to: folder.appendingPathComponent("dogs/notes.txt"))
        let shape = MapShape(channels: 1, height: 6, width: 6)
        let (images, skipped) = try ImageSet.read(folder.path, shape: shape)
        #expect(skipped == 0 && images.classNames == ["cats", "dogs"] && images.labels == [0, 0, 1, 1, 1])
        #expect(images.pixels.count == 5 * 36)
        let scene = try DecodedImage(contentsOf: ImageGolden.path("scene.png"))
        #expect(Array(images.pixels[(4 * 36)...]) == scene.fitted(to: shape))

        let broken = folder.appendingPathComponent("cats/broken.png").path
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0]).write(to: URL(fileURLWithPath: broken))
        do {
            _ = try ImageSet.read(folder.path, shape: shape)
            Issue.record("a corrupt PNG was accepted")
        } catch let error as ImageFileError {
            #expect(error.path == broken)
        }
        let (kept, skippedNow) = try ImageSet.read(folder.path, shape: shape, badImages: .skip)
        #expect(skippedNow == 1 && kept.count == 5)
    }

    @Test("augmented batches are the same for the same seed and stay within the pixel range")
    func augmentationIsSeeded() throws {
        let image = try DecodedImage(contentsOf: ImageGolden.path("scene.png"))
        let shape = MapShape(channels: 1, height: 28, width: 28)
        let set = ImageSet(shape: shape, pixels: image.fitted(to: shape), labels: [0], classNames: ["scene"], sources: ["scene"])
        let normalization = PixelNormalization(mean: [0], deviation: [1])
        var first = SplitMix64(seed: 5), second = SplitMix64(seed: 5)
        let a = set.tensor([0], normalization: normalization, augmentation: ImageAugmentation(), using: &first)
        let b = set.tensor([0], normalization: normalization, augmentation: ImageAugmentation(), using: &second)
        let plain = set.tensor(normalization: normalization)
        #expect(a == b && a != plain && a.shape == [1, 1, 28, 28])
        #expect(a.withUnsafeBufferPointer { $0.allSatisfy { $0 >= 0 && $0 <= 1 } })
    }
    @Test("flips and quarter turns give exactly the eight symmetries of a square image, each drawn")
    func symmetriesOfTheSquare() {
        // A 3 x 3 image whose nine pixels all differ, so every symmetry gives a different image.
        let pixels: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8, 9]
        func transformed(_ map: (Int, Int) -> (Int, Int)) -> [Float] {
            (0..<9).map { index in let (y, x) = map(index / 3, index % 3); return Float(pixels[y * 3 + x]) }
        }
        let symmetries: Set<[Float]> = [
            transformed { ($0, $1) }, transformed { ($0, 2 - $1) }, transformed { (2 - $0, $1) }, transformed { (2 - $0, 2 - $1) },
            transformed { ($1, $0) }, transformed { ($1, 2 - $0) }, transformed { (2 - $1, $0) }, transformed { (2 - $1, 2 - $0) },
        ]
        let augmentation = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0, flips: true, quarterTurns: true)
        var generator = SplitMix64(seed: 3), seen = Set<[Float]>()
        var target = [Float](repeating: 0, count: 9)
        for _ in 0..<200 {
            pixels.withUnsafeBufferPointer { source in
                target.withUnsafeMutableBufferPointer { augmentation.apply(source.baseAddress!, into: $0.baseAddress!, channels: 1, height: 3, width: 3, using: &generator) }
            }
            let rounded = target.map { $0.rounded() }
            #expect(symmetries.contains(rounded) && zip(rounded, target).allSatisfy { abs($0 - $1) < 1e-4 })
            seen.insert(rounded)
        }
        #expect(seen == symmetries)
    }
    /// One augmented copy of a `size` × `size` single-channel image.
    private func augmented(_ pixels: [UInt8], size: Int, _ augmentation: ImageAugmentation, using generator: inout SplitMix64) -> [Float] {
        var target = [Float](repeating: 0, count: pixels.count)
        pixels.withUnsafeBufferPointer { source in
            target.withUnsafeMutableBufferPointer {
                augmentation.apply(source.baseAddress!, into: $0.baseAddress!, channels: 1, height: size, width: size, using: &generator)
            }
        }
        return target
    }

    @Test("a random resized crop zooms into a window of at least the asked area, inside the image; an area of 1 changes nothing")
    func randomResizedCrop() {
        // A horizontal ramp 0, 8, …, 248: a crop's width shows as the span of the values it keeps.
        let size = 32
        let ramp = (0..<(size * size)).map { UInt8(($0 % size) * 8) }
        var generator = SplitMix64(seed: 9)
        let none = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0, minimumCropArea: 1)
        #expect(augmented(ramp, size: size, none, using: &generator) == ramp.map(Float.init))
        let crop = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0, minimumCropArea: 0.25)
        var spans: [Float] = []
        for _ in 0..<50 {
            let row = Array(augmented(ramp, size: size, crop, using: &generator)[0..<size])
            let span = row.last! - row.first!
            // At least 1/4 of the area with an aspect ratio of at most 4/3: at least 0.43 of the width; never outside.
            #expect(span >= 0.43 * 248 - 1e-3 && span <= 248 + 1e-3 && row.first! >= 0 && row.last! <= 248 + 1e-3)
            spans.append(span)
        }
        #expect(spans.min()! < 0.8 * 248)
    }

    @Test("colour jitter scales brightness and contrast within the asked factors, within 0…255")
    func colourJitter() {
        let size = 8
        let pixels = (0..<(size * size)).map { UInt8(100 + ($0 % 2) * 40) }  // 100 and 140: mean 120, spread ±20
        var generator = SplitMix64(seed: 4)
        let contrastOnly = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0, contrast: 0.5)
        let brightnessOnly = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0, brightness: 0.3)
        var contrastFactors: [Float] = [], brightnessFactors: [Float] = []
        for _ in 0..<40 {
            let contrasted = augmented(pixels, size: size, contrastOnly, using: &generator)
            // The mean stays; the spread scales by one factor within 1 ± 0.5.
            #expect(abs(contrasted.reduce(0, +) / Float(contrasted.count) - 120) < 1e-3)
            contrastFactors.append((contrasted[1] - contrasted[0]) / 40)
            let brightened = augmented(pixels, size: size, brightnessOnly, using: &generator)
            brightnessFactors.append(brightened[0] / 100)
            #expect(abs(brightened[1] / 140 - brightened[0] / 100) < 1e-4)
        }
        #expect(contrastFactors.allSatisfy { $0 >= 0.5 - 1e-4 && $0 <= 1.5 + 1e-4 } && Set(contrastFactors).count > 30)
        #expect(brightnessFactors.allSatisfy { $0 >= 0.7 - 1e-4 && $0 <= 1.3 + 1e-4 } && Set(brightnessFactors).count > 30)
        let bright = augmented([250, 250, 10, 10], size: 2, ImageAugmentation(maxShift: 0, maxRotationDegrees: 0, brightness: 0.9, contrast: 0.9),
                               using: &generator)
        #expect(bright.allSatisfy { $0 >= 0 && $0 <= 255 })
    }
    @Test("an augmentation survives JSON as written; one written before crops and jitter existed reads with them off")
    func augmentationCodable() throws {
        let augmentation = ImageAugmentation(maxShift: 1, maxRotationDegrees: 5, flips: true, quarterTurns: true, minimumCropArea: 0.5,
                                             brightness: 0.2, contrast: 0.3)
        #expect(try JSONDecoder().decode(ImageAugmentation.self, from: JSONEncoder().encode(augmentation)) == augmentation)
        var settings = ImageTrainingSettings()
        settings.augmentation = augmentation
        let encoded = try JSONEncoder().encode(settings)
        #expect(try JSONDecoder().decode(ImageTrainingSettings.self, from: encoded) == settings, "\(String(decoding: encoded, as: UTF8.self))")
        let older = try JSONDecoder().decode(ImageAugmentation.self, from: Data(#"{"maxShift": 2, "maxRotationDegrees": 10}"#.utf8))
        #expect(older == ImageAugmentation() && older.description == "shifts ±2 px, rotations ±10°")
    }
}
