import Foundation
import LinearAlgebra

/// Random geometric changes applied to training images each time they are drawn: a rotation
/// of up to ±`maxRotationDegrees` about the centre and a shift of up to ±`maxShift` pixels each
/// way, and, when asked, a random flip (left–right, up–down) and a random quarter turn (square
/// images) — the eight symmetries of the square, for images whose content has no upright, such
/// as solar cells or micrographs — resampled bilinearly with 0 (black) outside the image.
public struct ImageAugmentation: Sendable, Hashable, Codable {
    /// The largest shift, in pixels, along each axis.
    public var maxShift: Float
    /// The largest rotation, in degrees, either way.
    public var maxRotationDegrees: Float
    /// Whether each image is flipped left–right and up–down, each with probability 1/2.
    public var flips = false
    /// Whether each square image is turned by 0, 90, 180 or 270 degrees (180 or not for others).
    public var quarterTurns = false

    /// An augmentation (zeros and false: none).
    public init(maxShift: Float = 2, maxRotationDegrees: Float = 10, flips: Bool = false, quarterTurns: Bool = false) {
        self.maxShift = maxShift
        self.maxRotationDegrees = maxRotationDegrees
        self.flips = flips
        self.quarterTurns = quarterTurns
    }

    /// No change.
    public static let none = ImageAugmentation(maxShift: 0, maxRotationDegrees: 0)

    /// Whether it changes anything.
    public var isIdentity: Bool { maxShift == 0 && maxRotationDegrees == 0 && !flips && !quarterTurns }

    private enum CodingKeys: String, CodingKey { case maxShift, maxRotationDegrees, flips, quarterTurns }

    /// Reads an augmentation; the flips and turns default to off when absent.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        self.init(maxShift: try values.decode(Float.self, forKey: .maxShift),
                  maxRotationDegrees: try values.decode(Float.self, forKey: .maxRotationDegrees),
                  flips: try values.decodeIfPresent(Bool.self, forKey: .flips) ?? false,
                  quarterTurns: try values.decodeIfPresent(Bool.self, forKey: .quarterTurns) ?? false)
    }

    /// Writes one randomly transformed copy of the `channels` maps of `height` × `width` bytes at
    /// `source` into `target` as floats on the 0…255 scale.
    func apply<G: RandomNumberGenerator>(_ source: UnsafePointer<UInt8>, into target: UnsafeMutablePointer<Float>, channels: Int,
                                         height: Int, width: Int, using generator: inout G) {
        let angle = (2 * generator.nextUnitFloat() - 1) * maxRotationDegrees * .pi / 180
        let shiftX = (2 * generator.nextUnitFloat() - 1) * maxShift, shiftY = (2 * generator.nextUnitFloat() - 1) * maxShift
        // The symmetry drawn (none unless asked, so other settings draw the same numbers as before).
        let mirrorX = flips && generator.next() & 1 == 1, mirrorY = flips && generator.next() & 1 == 1
        let turns = quarterTurns ? Int(generator.next() % 4) : 0
        let turn = height == width ? turns : turns & 2
        let cosine = cos(angle), sine = sin(angle)
        let centreX = Float(width - 1) / 2, centreY = Float(height - 1) / 2
        for y in 0..<height {
            for x in 0..<width {
                // The inverse map: where in the source this output pixel comes from.
                let dx = Float(x) - centreX - shiftX, dy = Float(y) - centreY - shiftY
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
        return parts.isEmpty ? "none" : parts.joined(separator: ", ")
    }
}
