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

    /// 10^exponent for 0...10, all exact in a Float (converted exactly from `doublePower`).
    @inline(__always)
    private static func floatPower(_ exponent: Int) -> Float {
        Float(doublePower(exponent))
    }

    /// 10^exponent for 0...22, all exact in a Double (a switch, so no lazy global is touched per call).
    @inline(__always)
    private static func doublePower(_ exponent: Int) -> Double {
        switch exponent {
        case 0: 1e0
        case 1: 1e1
        case 2: 1e2
        case 3: 1e3
        case 4: 1e4
        case 5: 1e5
        case 6: 1e6
        case 7: 1e7
        case 8: 1e8
        case 9: 1e9
        case 10: 1e10
        case 11: 1e11
        case 12: 1e12
        case 13: 1e13
        case 14: 1e14
        case 15: 1e15
        case 16: 1e16
        case 17: 1e17
        case 18: 1e18
        case 19: 1e19
        case 20: 1e20
        case 21: 1e21
        default: 1e22
        }
    }

    /// The float spelled by `token` (no surrounding whitespace).
    /// - Throws: `Failure` when the token is not a finite decimal number.
    /// - Complexity: O(token length).
    @inline(__always)
    static func parse(_ token: UnsafeRawBufferPointer) throws(Failure) -> Float {
        guard let base = token.baseAddress, !token.isEmpty else { throw .notANumber }
        let (value, end) = try parsePrefix(base.assumingMemoryBound(to: UInt8.self), count: token.count)
        guard end == token.count else { throw .notANumber }
        return value
    }

    /// Parses the number at the start of `bytes[0..<count]` and returns it with the offset of the
    /// first byte after it; the caller checks that a separator follows.
    /// - Throws: `Failure` when no finite number starts there.
    @inline(__always)
    static func parsePrefix(_ bytes: UnsafePointer<UInt8>, count end: Int) throws(Failure) -> (Float, Int) {
        var index = 0
        var negative = false
        if index < end && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
            negative = bytes[index] == UInt8(ascii: "-")
            index &+= 1
        }
        // Up to 19 digits (leading zeros included) fit the 64-bit mantissa; beyond that the
        // value is handed to strtof.
        var mantissa: UInt64 = 0
        var exponent = 0
        var digits = 0
        while index < end, case let digit = bytes[index] &- 48, digit < 10 {
            if digits < 19 { mantissa = mantissa &* 10 &+ UInt64(digit) } else { exponent &+= 1 }
            digits &+= 1
            index &+= 1
        }
        if index < end && bytes[index] == UInt8(ascii: ".") {
            index &+= 1
            let before = digits
                exponent &-= digits &- before
            while index < end, case let digit = bytes[index] &- 48, digit < 10 {
                if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(digit)
                    exponent &-= 1
                }
                digits &+= 1
                index &+= 1
            }
        }
        guard digits > 0 else { throw nonNumber(UnsafeRawBufferPointer(start: bytes + index, count: end - index)) }
        if index < end && (bytes[index] | 0x20) == UInt8(ascii: "e") {
            index &+= 1
            var exponentNegative = false
            if index < end && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+")) {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index &+= 1
            }
            var value = 0
            let exponentStart = index
            while index < end, case let digit = bytes[index] &- 48, digit < 10 {
                if value < 100_000 { value = value &* 10 &+ Int(digit) }
                index &+= 1
            }
            guard index > exponentStart else { throw .notANumber }
            exponent &+= exponentNegative ? -value : value
        }
        if mantissa == 0 && digits <= 19 { return (negative ? -0.0 : 0.0, index) }
        if digits <= 19 {
            if mantissa < (1 << 24) && exponent >= -10 && exponent <= 10 {
                let value = exponent < 0 ? Float(mantissa) / floatPower(-exponent) : Float(mantissa) * floatPower(exponent)
                return (negative ? -value : value, index)
            }
            if mantissa < (1 << 53) && exponent >= -22 && exponent <= 22 {
                let double = exponent < 0 ? Double(mantissa) / doublePower(-exponent) : Double(mantissa) * doublePower(exponent)
                // A double exactly halfway between two floats could round either way: let strtof decide.
                if double.bitPattern & 0x1FFF_FFFF != 0x1000_0000 {
                    let value = Float(double)
                    guard value.isFinite else { throw .nonFinite }
                    return (negative ? -value : value, index)
                }
            }
        }
        return (try slowPath(UnsafeRawBufferPointer(start: bytes, count: index)), index)
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
    private static func nonNumber(_ rest: UnsafeRawBufferPointer) -> Failure {
        let letters = rest.prefix { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
        let word = String(decoding: letters, as: UTF8.self).lowercased()
        return ["nan", "inf", "infinity"].contains(word) ? .nonFinite : .notANumber
    }
}
