import Foundation
import LinearAlgebra

/// Random geometric changes applied to training images each time they are drawn: a rotation
/// of up to ±`maxRotationDegrees` about the centre and a shift of up to ±`maxShift` pixels each
/// way, resampled bilinearly with 0 (black) outside the image.
public struct ImageAugmentation: Sendable, Hashable, Codable {
    /// The largest shift, in pixels, along each axis.
    public var maxShift: Float
    /// The largest rotation, in degrees, either way.
    public var maxRotationDegrees: Float

    /// An augmentation (zeros: none).
    public init(maxShift: Float = 2, maxRotationDegrees: Float = 10) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
    }

    /// No change.
    public static let none = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0)

    /// Whether it changes anything.
    public var isIdentity: Bool { maxShift == 0 && maxRotationDegrees == 0 }

    /// Writes one randomly transformed copy of the `channels` maps of `height` × `width` bytes at
    /// `source` into `target` as floats on the 0…255 scale.
    func apply<G: RandomNumberGenerator>(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, channels: Int,
                                         height: Int, width: Int, using generator: inout G) {
        let angle = (2 * generator.nextUnitFloat() - 1) * maxRotationDegrees * .pi / 180
        let shiftX = (2 * generator.nextUnitFloat() - 1) * maxShift, shiftY = (2 * generator.nextUnitFloat() - 1) * maxShift
        let cosine = cos(angle), sine = sin(angle)
        let centreX = Float(width - 1) / 2, centreY = Float(height - 1) / 2
        for y in 0..<height {
            for x in 0..<width {
                // The inverse map: where in the source this output pixel comes from.
                let dx = Float(x) - centreX - shiftX, dy = Float(y) - centreY - shiftY
                let sourceX = cosine * dx + sine * dy + centreX, sourceY = -sine * dx + cosine * dy + centreY
                let x0 = Int(sourceX.rounded(.down)), y0 = Int(sourceY.rounded(.down))
                let fx = sourceX - Float(x0), fy = sourceY - Float(y0)
                for channel in 0..<channels {
                    let map = source + channel * height * width
                    func pixel(_ px: Int, _ py: Int) -> Float {
                        px >= 0 && px < width && py >= 0 && py < height ? Float(map[py * width + px]) : 0
                    }
                    let top = pixel(x0, y0) * (1 - fx) + pixel(x0 + 1, y0) * fx
                    let bottom = pixel(x0, y0 + 1) * (1 - fx) + pixel(x0 + 1, y0 + 1) * fx
                    target[channel * height * width + y * width + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
    }
}
