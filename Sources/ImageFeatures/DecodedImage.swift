import Foundation
import ImageCodecs

/// A decoded image: 8-bit samples, rows top to bottom, channels interleaved (1 gray, 2 gray +
/// alpha, 3 RGB, 4 RGBA).
public struct DecodedImage: Sendable, Hashable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Samples per pixel.
    public let channels: Int
    /// `height × width × channels` samples.
    public let pixels: [UInt8]

    /// An image from its samples.
    /// - Precondition: `pixels.count == width × height × channels`, 1 to 4 channels.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition((1...4).contains(channels) && pixels.count == width * height * channels, "DecodedImage: inconsistent size")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The most pixels an image may have (8,192 × 8,192); a header claiming more is refused
    /// before anything is allocated.
    public static let maximumPixelCount = 1 << 26

    /// Decodes the PNG or JPEG file at `path` (told apart by their signatures).
    /// - Throws: `ImageFileError` naming the file for an unreadable, truncated, corrupt or
    ///   oversized image, or one in another format.
    public init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageFileError(path: path, message: FileManager.default.fileExists(atPath: path) ? "cannot be read" : "no such file")
        }
        try self.init(encoded: [UInt8](data), path: path)
    }

    /// Decodes PNG or JPEG bytes; `path` names them in errors.
    public init(encoded bytes: [UInt8], path: String) throws {
        typealias Codec = (info: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<ek_image_info>) -> Int32,
                           decode: (UnsafePointer<UInt8>, Int, UnsafeMutablePointer<UInt8>, Int, UnsafeMutablePointer<ek_image_info>) -> Int32)
        let codec: Codec
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
            codec = ({ ek_png_info($0, $1, $2) }, { ek_png_decode($0, $1, $2, $3, $4) })
        } else if bytes.starts(with: [0xFF, 0xD8]) {
            codec = ({ ek_jpeg_info($0, $1, $2) }, { ek_jpeg_decode($0, $1, $2, $3, $4) })
        } else {
            throw ImageFileError(path: path, byteOffset: 0, message: "not a PNG or JPEG image")
        }
        var info = ek_image_info()
        func failure() -> ImageFileError {
            ImageFileError(path: path, message: withUnsafeBytes(of: info.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) })
        }
        let status = bytes.withUnsafeBufferPointer { codec.info($0.baseAddress!, $0.count, &info) }
        guard status == 0 else { throw failure() }
        let width = Int(info.width), height = Int(info.height), channels = Int(info.channels)
        guard width > 0, height > 0, width <= Self.maximumPixelCount / height else {
            throw ImageFileError(path: path, message: "the header claims \(width) × \(height) pixels; at most \(Self.maximumPixelCount) are read")
        }
        guard (1...4).contains(channels) else { throw ImageFileError(path: path, message: "\(channels) channels per pixel") }
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        let decoded = bytes.withUnsafeBufferPointer { input in
            pixels.withUnsafeMutableBufferPointer { codec.decode(input.baseAddress!, input.count, $0.baseAddress!, $0.count, &info) }
        }
        guard decoded == 0 else { throw failure() }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The image with `count` channels (1 or 3): alpha dropped, gray repeated into RGB, RGB to
    /// gray by ITU-R 601-2 luma with the same integer rounding as Pillow's `convert("L")`.
    public func converted(toChannels count: Int) -> DecodedImage {
        precondition(count == 1 || count == 3, "converted: 1 or 3 channels")
        let colorful = channels >= 3
        if count == channels { return self }
        var result = [UInt8](repeating: 0, count: width * height * count)
        for pixel in 0..<(width * height) {
            let source = pixel * channels
            if count == 1 {
                result[pixel] = colorful ? Self.luma(pixels[source], pixels[source + 1], pixels[source + 2]) : pixels[source]
            } else {
                for channel in 0..<3 { result[pixel * 3 + channel] = pixels[source + (colorful ? channel : 0)] }
            }
        }
        return DecodedImage(width: width, height: height, channels: count, pixels: result)
    }

    /// Pillow's `L = (19595 R + 38470 G + 7471 B + 2¹⁵) >> 16`.
    static func luma(_ red: UInt8, _ green: UInt8, _ blue: UInt8) -> UInt8 {
        let red = 19_595 * Int(red), green = 38_470 * Int(green), blue = 7_471 * Int(blue)
        return UInt8((red + green + blue + 0x8000) >> 16)
    }
}
