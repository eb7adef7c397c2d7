#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses decimal floats from bytes, bit-identical to C's `strtof` (round to nearest even).
///
/// Common short tokens (up to 19 significant digits, small exponents) take exact fast paths:
/// the float path when the digits fit 24 bits and the power of ten is exact in a Float, else
/// the double path, which is correct unless the double lands exactly halfway between two floats.
/// Everything else, and that halfway case, is handed to `strtof` itself.
enum FloatParser {
    /// What a token held when it was not a finite number.
    enum Failure: Error, Equatable {
        /// Not a decimal number (letters, a lone sign, stray characters).
        case notANumber
        /// `nan`, `inf`, `infinity` (any case), or a value too large for a Float.
        case nonFinite
    }

    private static let floatPowers: [Float] = (0...10).map { Float(pow(10, Double($0))) }
    private static let doublePowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The float spelled by `token` (no surrounding whitespace).
    /// - Throws: `Failure` when the token is not a finite decimal number.
    /// - Complexity: O(token length).
    static func parse(_ token: UnsafeRawBufferPointer) throws(Failure) -> Float {
        var index = 0
        let end = token.count
        var negative = false
        if index < end && (token[index] == UInt8(ascii: "-") || token[index] == UInt8(ascii: "+")) {
            negative = token[index] == UInt8(ascii: "-")
            index += 1
        }
        var mantissa: UInt64 = 0
        var significantDigits = 0
        var exponent = 0
        var digitsSeen = 0
        // Integer part.
        while index < end, case let digit = token[index] &- 48, digit < 10 {
            digitsSeen += 1
            if mantissa != 0 || digit != 0 {
                if significantDigits < 19 {
                    mantissa = mantissa * 10 + UInt64(digit)
                } else {
                    exponent += 1
                }
                significantDigits += 1
            }
            index += 1
        }
        // Fraction.
        if index < end && token[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, case let digit = token[index] &- 48, digit < 10 {
                digitsSeen += 1
                if mantissa != 0 || digit != 0 {
                    if significantDigits < 19 {
                        mantissa = mantissa * 10 + UInt64(digit)
                        exponent -= 1
                    }
                    significantDigits += 1
                } else {
                    exponent -= 1
                }
                index += 1
            }
        }
        guard digitsSeen > 0 else { throw nonNumber(token, from: index) }
        // Exponent.
        if index < end && (token[index] | 0x20) == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end && (token[index] == UInt8(ascii: "-") || token[index] == UInt8(ascii: "+")) {
                exponentNegative = token[index] == UInt8(ascii: "-")
                index += 1
            }
            var value = 0
            var exponentDigits = 0
            while index < end, case let digit = token[index] &- 48, digit < 10 {
                if value < 100_000 { value = value * 10 + Int(digit) }
                exponentDigits += 1
                index += 1
            }
            guard exponentDigits > 0 else { throw .notANumber }
            exponent += exponentNegative ? -value : value
        }
        guard index == end else { throw .notANumber }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }

        if significantDigits <= 19 {
            if mantissa < (1 << 24) && exponent >= -10 && exponent <= 10 {
                let value = exponent < 0 ? Float(mantissa) / floatPowers[-exponent] : Float(mantissa) * floatPowers[exponent]
                return negative ? -value : value
            }
            if mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
                let double = exponent < 0 ? Double(mantissa) / doublePowers[-exponent] : Double(mantissa) * doublePowers[exponent]
                // A double exactly halfway between two floats could round either way: let strtof decide.
                if double.bitPattern & 0x1FFF_FFFF != 0x1000_0000 {
                    let value = Float(double)
                    guard value.isFinite else { throw .nonFinite }
                    return negative ? -value : value
                }
            }
        }
        return try slowPath(token)
    }

    /// `strtof` on a NUL-terminated copy of the token.
    private static func slowPath(_ token: UnsafeRawBufferPointer) throws(Failure) -> Float {
        var copy = [CChar](repeating: 0, count: token.count + 1)
        for index in 0..<token.count { copy[index] = CChar(bitPattern: token[index]) }
        let value = copy.withUnsafeBufferPointer { strtof($0.baseAddress!, nil) }
        guard value.isFinite else { throw .nonFinite }
        return value
    }

    /// Classifies a token that held no digits: `nan`/`inf` spellings are non-finite, the rest junk.
    private static func nonNumber(_ token: UnsafeRawBufferPointer, from index: Int) -> Failure {
        let rest = String(decoding: UnsafeRawBufferPointer(rebasing: token[index...]), as: UTF8.self).lowercased()
        return ["nan", "inf", "infinity"].contains(rest) ? .nonFinite : .notANumber
    }
}
