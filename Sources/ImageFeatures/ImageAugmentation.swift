import Foundation
import LinearAlgebra

/// Random changes applied to training images each time they are drawn, each opt-in: a rotation
/// of up to ±`maxRotationDegrees` about the centre and a shift of up to ±`maxShift` pixels each
/// way; a random flip (left–right, up–down) and a random quarter turn (square images) — the
/// eight symmetries of the square, for images whose content has no upright, such as solar cells
/// or micrographs; a random resized crop (a window of `minimumCropArea`…1 of the area, aspect
/// ratio 3/4…4/3, stretched to the whole image, as torchvision's `RandomResizedCrop` draws
/// them); and a small colour jitter (brightness and contrast factors of 1 ± `brightness` and
/// 1 ± `contrast`). Resampled bilinearly, with 0 (black) outside the image.
public struct ImageAugmentation: Sendable, Hashable, Codable {
    /// The largest shift, in pixels, along each axis.
    public var maxShift: Float
    /// The largest rotation, in degrees, either way.
    public var maxRotationDegrees: Float
    /// Whether each image is flipped left–right and up–down, each with probability 1/2.
    public var flips = false
    /// Whether each square image is turned by 0, 90, 180 or 270 degrees (180 or not for others).
    public var quarterTurns = false
    /// The smallest share of the image's area a random crop keeps (1: no crop).
    public var minimumCropArea: Float = 1
    /// The largest change of brightness: each image's values are scaled by a factor drawn from
    /// 1 − `brightness` … 1 + `brightness` (0: none).
    public var brightness: Float = 0
    /// The largest change of contrast: each image's distance from its mean is scaled by a factor
    /// drawn from 1 − `contrast` … 1 + `contrast` (0: none).
    public var contrast: Float = 0

    /// An augmentation (zeros, false and a crop area of 1: none).
    public init(maxShift: Float = 2, maxRotationDegrees: Float = 10, flips: Bool = false, quarterTurns: Bool = false,
                minimumCropArea: Float = 1, brightness: Float = 0, contrast: Float = 0) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
        self.flips = flips
        self.quarterTurns = quarterTurns
        self.minimumCropArea = minimumCropArea
        self.brightness = brightness
        self.contrast = contrast
    }

    /// No change.
    public static let none = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0)

    /// Whether it changes anything.
    public var isIdentity: Bool {
        maxShift == 0 && maxRotationDegrees == 0 && !flips && !quarterTurns && minimumCropArea >= 1 && brightness == 0 && contrast == 0
    }

    private enum CodingKeys: String, CodingKey { case maxShift, maxRotationDegrees, flips, quarterTurns, minimumCropArea, brightness, contrast }

    /// Reads an augmentation; what a file written before a change existed leaves out is off.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxShift: try values.decode(Float.self, forKey: .maxShift),
                  maxRotationDegrees: try values.decode(Float.self, forKey: .maxRotationDegrees),
                  flips: try values.decodeIfPresent(Bool.self, forKey: .flips) ?? false,
                  quarterTurns: try values.decodeIfPresent(Bool.self, forKey: .quarterTurns) ?? false,
                  minimumCropArea: try values.decodeIfPresent(Float.self, forKey: .minimumCropArea) ?? 1,
                  brightness: try values.decodeIfPresent(Float.self, forKey: .brightness) ?? 0,
                  contrast: try values.decodeIfPresent(Float.self, forKey: .contrast) ?? 0)
    }

    /// Writes one randomly transformed copy of the `channels` maps of `height` × `width` bytes at
    /// `source` into `target` as floats on the 0…255 scale. Changes that are off draw no random
    /// numbers, so adding one leaves the others' draws as they were.
    func apply<G: RandomNumberGenerator>(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, channels: Int,
                                         height: Int, width: Int, using generator: inout G) {
        let angle = (2 * generator.nextUnitFloat() - 1) * maxRotationDegrees * .pi / 180
        let shiftX = (2 * generator.nextUnitFloat() - 1) * maxShift, shiftY = (2 * generator.nextUnitFloat() - 1) * maxShift
        let mirrorX = flips && generator.next() & 1 == 1, mirrorY = flips && generator.next() & 1 == 1
        let turns = quarterTurns ? Int(generator.next() % 4) : 0
        let turn = height == width ? turns : turns & 2
        let crop = minimumCropArea < 1 ? randomCrop(height: height, width: width, using: &generator) : (scaleX: 1, scaleY: 1, x: 0, y: 0)
        let cosine = cos(angle), sine = sin(angle)
        let centreX = Float(width - 1) / 2, centreY = Float(height - 1) / 2
        for y in 0..<height {
            for x in 0..<width {
                // The inverse map: where in the source this output pixel comes from — into the
                // crop window, then undoing the shift and rotation about the centre.
                let dx = (Float(x) - centreX) * crop.scaleX + crop.x - shiftX, dy = (Float(y) - centreY) * crop.scaleY + crop.y - shiftY
                var sourceX = cosine * dx + sine * dy + centreX, sourceY = -sine * dx + cosine * dy + centreY
                // Undo the symmetry: quarter turns counter-clockwise about the centre, then the mirrors.
                for _ in 0..<turn {
                    (sourceX, sourceY) = (centreX + (sourceY - centreY), centreY - (sourceX - centreX))
                }
                if mirrorX { sourceX = Float(width - 1) - sourceX }
                if mirrorY { sourceY = Float(height - 1) - sourceY }
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
        if brightness > 0 || contrast > 0 {
            jitterColours(target, count: channels * height * width, using: &generator)
        }
    }

    /// A crop window: its size as a share of the image along each axis and its centre's offset
    /// from the image's, in pixels.
    private func randomCrop<G: RandomNumberGenerator>(height: Int, width: Int, using generator: inout G)
        -> (scaleX: Float, scaleY: Float, x: Float, y: Float) {
        let area = minimumCropArea + (1 - minimumCropArea) * generator.nextUnitFloat()
        let logRatio = log(Float(3) / 4) + log(Float(16) / 9) * generator.nextUnitFloat()
        let scaleX = min(1, (area * exp(logRatio)).squareRoot()), scaleY = min(1, (area / exp(logRatio)).squareRoot())
        let x = (2 * generator.nextUnitFloat() - 1) * (1 - scaleX) * Float(width - 1) / 2
        let y = (2 * generator.nextUnitFloat() - 1) * (1 - scaleY) * Float(height - 1) / 2
        return (scaleX, scaleY, x, y)
    }

    /// Scales the image's brightness, then its contrast about its mean, by random factors; the
    /// values stay within 0…255.
    private func jitterColours<G: RandomNumberGenerator>(_ values: UnsafeMutablePointer<Float>, count: Int, using generator: inout G) {
        let brightnessFactor = 1 + (2 * generator.nextUnitFloat() - 1) * brightness
        let contrastFactor = 1 + (2 * generator.nextUnitFloat() - 1) * contrast
        var sum: Float = 0
        for index in 0..<count { sum += values[index] }
        let mean = sum / Float(max(1, count))
        for index in 0..<count {
            values[index] = min(255, max(0, brightnessFactor * ((values[index] - mean) * contrastFactor + mean)))
        }
    }
}

extension ImageAugmentation: CustomStringConvertible {
    /// The changes in words, e.g. `shifts ±2 px, rotations ±10°, flips, quarter turns` (`none`).
    public var description: String {
        func number(_ value: Float) -> String { value == value.rounded() ? String(Int(value)) : String(value) }
        var parts: [String] = []
        if maxShift > 0 { parts.append("shifts ±\(number(maxShift)) px") }
        if maxRotationDegrees > 0 { parts.append("rotations ±\(number(maxRotationDegrees))°") }
        if flips { parts.append("flips") }
        if quarterTurns { parts.append("quarter turns") }
        if minimumCropArea < 1 { parts.append("crops of \(number(minimumCropArea))–1 of the area") }
        if brightness > 0 { parts.append("brightness ±\(number(brightness))") }
        if contrast > 0 { parts.append("contrast ±\(number(contrast))") }
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
