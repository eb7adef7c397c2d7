import Foundation
import ImageFeatures
import NeuralNetworks
import Testing

/// One image of `Fixtures/image_goldens.json`, as Pillow decoded it (`make_image_goldens.py`).
struct ImageGolden: Decodable {
    let width: Int, height: Int
    let gray: [UInt8], rgb: [UInt8]
    let fitted: [String: [UInt8]]?

    static let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    static let all: [String: ImageGolden] = {
        let data = try! Data(contentsOf: folder.appendingPathComponent("image_goldens.json"))
        return try! JSONDecoder().decode([String: ImageGolden].self, from: data)
    }()

    static func path(_ name: String) -> String { folder.appendingPathComponent("images").appendingPathComponent(name).path }
}

@Suite("PNG and JPEG decoding equals Pillow's (Fixtures/make_image_goldens.py)")
struct ImageDecodingTests {
    @Test("every kind of PNG and JPEG decodes to Pillow's gray and RGB pixels", arguments: ImageGolden.all.keys.sorted())
    func decodesLikePillow(name: String) throws {
        let golden = ImageGolden.all[name]!
        let image = try DecodedImage(contentsOf: ImageGolden.path(name))
        #expect(image.width == golden.width && image.height == golden.height)
        #expect(image.converted(toChannels: 1).pixels == golden.gray)
        #expect(image.converted(toChannels: 3).pixels == golden.rgb)
    }

    @Test("shorter-side bilinear resize and centre crop equal Pillow's, shrinking and enlarging")
    func fitsLikePillow() throws {
        let golden = ImageGolden.all["scene.png"]!.fitted!
        let image = try DecodedImage(contentsOf: ImageGolden.path("scene.png"))
        #expect(image.fitted(to: MapShape(channels: 1, height: 28, width: 28)) == golden["gray_28x28"])
        #expect(image.fitted(to: MapShape(channels: 3, height: 20, width: 20)) == golden["rgb_20x20"])
        #expect(image.fitted(to: MapShape(channels: 3, height: 96, width: 80)) == golden["rgb_80x96"])
    }

    @Test("an image of absurd aspect (100,000 × 1, 1 × 60,000) is fitted through its crop only: right values, no 20 GB intermediate")
    func extremeAspectFitsThroughTheCrop() {
        let shape = MapShape(channels: 3, height: 224, width: 224)
        let wide = DecodedImage(width: 100_000, height: 1, channels: 3, pixels: [UInt8]((0..<100_000).flatMap { _ in [10, 20, 30] as [UInt8] }))
        let fitted = wide.fitted(to: shape, shorterSide: 256)
        #expect(fitted.count == shape.count)
        #expect(fitted[0..<(224 * 224)].allSatisfy { $0 == 10 } && fitted[(2 * 224 * 224)...].allSatisfy { $0 == 30 })
        let tall = DecodedImage(width: 1, height: 60_000, channels: 1, pixels: [UInt8](repeating: 128, count: 60_000))
        #expect(tall.fitted(to: shape, shorterSide: 256).allSatisfy { $0 == 128 })
    }

    @Test("a preset's shorter side scales with the input (torchvision's 342 for 299); one below the crop covers the crop instead of trapping")
    func shorterSideFollowsTheInput() throws {
        #expect(ImagePreprocessing.torchvision.scaled(toInputHeight: 224, width: 224).shorterSide == 256)
        #expect(ImagePreprocessing.torchvision.scaled(toInputHeight: 299, width: 299).shorterSide == 342)
        #expect(ImagePreprocessing.tensorFlowLite.scaled(toInputHeight: 384, width: 384).shorterSide == 439)
        let image = try DecodedImage(contentsOf: ImageGolden.path("scene.png"))
        let crop = MapShape(channels: 3, height: 96, width: 80)
        #expect(image.fitted(to: crop, shorterSide: 50) == image.fitted(to: crop))
    }

    @Test("truncated and corrupted files are errors naming the file, never partial images",
          arguments: ["rgb8.png", "pngtest_interlaced.png", "rgb.jpg", "gray.jpg"])
    func damagedFilesFail(name: String) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImageGolden.path(name))))
        var damaged = [bytes.prefix(bytes.count / 2).map { $0 }, Array(bytes.prefix(40))]
        var flipped = bytes
        for offset in stride(from: bytes.count / 3, to: bytes.count - 8, by: 7) { flipped[offset] ^= 0x5A }
        damaged.append(flipped)
        for bytes in damaged {
            #expect(throws: ImageFileError.self) { try DecodedImage(encoded: bytes, path: "damaged-\(name)") }
            do { _ = try DecodedImage(encoded: bytes, path: "damaged-\(name)") } catch let error as ImageFileError {
                #expect(error.description.hasPrefix("damaged-\(name):"))
            }
        }
    }

    @Test("a header claiming 100,000 × 100,000 pixels is refused before allocating")
    func refusesHugeHeaders() throws {
        var png = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImageGolden.path("gray8.png"))))
        // IHDR's width and height (bytes 16–23), with the chunk's CRC (bytes 29–32) made right.
        for (offset, value) in [(16, UInt32(100_000)), (20, UInt32(100_000))] {
            withUnsafeBytes(of: value.bigEndian) { png.replaceSubrange(offset..<(offset + 4), with: $0) }
        }
        withUnsafeBytes(of: Self.crc32(png[12..<29]).bigEndian) { png.replaceSubrange(29..<33, with: $0) }
        do {
            _ = try DecodedImage(encoded: png, path: "huge.png")
            Issue.record("a 100,000 × 100,000 PNG header was accepted")
        } catch let error as ImageFileError {
            #expect(error.description.contains("100000 × 100000"))
        }
        var jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ImageGolden.path("rgb.jpg"))))
        let frame = jpeg.indices.first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 }!
        jpeg.replaceSubrange((frame + 5)..<(frame + 9), with: [0x3A, 0x98, 0x3A, 0x98])
        do {
            _ = try DecodedImage(encoded: jpeg, path: "huge.jpg")
            Issue.record("a 15,000 × 15,000 JPEG header was accepted")
        } catch let error as ImageFileError {
            #expect(error.description.contains("15000 × 15000"))
        }
    }

    /// The PNG chunk CRC (CRC-32, polynomial 0xEDB88320).
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test("other formats are refused at byte 0")
    func refusesOtherFormats() {
        #expect(throws: ImageFileError.self) { try DecodedImage(encoded: Array("GIF89a".utf8) + [0, 0, 0], path: "x.gif") }
        #expect(throws: ImageFileError.self) { try DecodedImage(encoded: [], path: "empty.png") }
    }
}
