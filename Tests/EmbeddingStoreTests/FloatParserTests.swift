import Foundation
import LinearAlgebra
import Testing

@testable import EmbeddingStore

@Suite("FloatParser is bit-identical to strtof")
struct FloatParserTests {
    /// strtof's reading of `text`.
    func strtofBits(_ text: [UInt8]) -> UInt32 {
        (text + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { strtof($0.baseAddress!, nil).bitPattern }
        }
    }

    func parsedBits(_ text: [UInt8]) -> UInt32? {
        text.withUnsafeBytes { try? FloatParser.parse($0).bitPattern }
    }

    /// `value` printed by C with `format` (for example "%.9g").
    func printed(_ value: Double, _ format: String) -> [UInt8] {
        var buffer = [CChar](repeating: 0, count: 64)
        let length = withVaList([value]) { vsnprintf(&buffer, 64, format, $0) }
        return buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }
    }

    @Test("a million random finite floats in %.9g, %.6g, %g, %e, %.7f and Swift's shortest form")
    func randomFloats() {
        var generator = SplitMix64(seed: 12)
        var mismatches: [String] = []
        let formats = ["%.9g", "%.6g", "%g", "%.3e", "%.7f", "%.12e"]
        for iteration in 0..<1_000_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard value.isFinite else { continue }
            let text = iteration % 7 == 6 ? Array(value.description.utf8) : printed(Double(value), formats[iteration % 6])
            if parsedBits(text) != strtofBits(text) { mismatches.append(String(decoding: text, as: UTF8.self)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first \(mismatches.prefix(5))")
    }

    @Test("a million random digit strings: long mantissas, leading zeros, exponents, halfway cases")
    func randomDigitStrings() {
        var generator = SplitMix64(seed: 99)
        var mismatches: [String] = []
        for _ in 0..<1_000_000 {
            var text: [UInt8] = []
            if generator.next() % 3 == 0 { text.append(UInt8(ascii: "-")) }
            let integerDigits = Int(generator.next() % 12), fractionDigits = Int(generator.next() % 25)
            for _ in 0..<integerDigits { text.append(48 + UInt8(generator.next() % 10)) }
            if integerDigits == 0 || fractionDigits > 0 {
                if integerDigits == 0 { text.append(UInt8(ascii: "0")) }
                text.append(UInt8(ascii: "."))
                for _ in 0..<max(1, fractionDigits) { text.append(48 + UInt8(generator.next() % 10)) }
            }
            if generator.next() % 4 == 0 {
                text.append(UInt8(ascii: "e"))
                text.append(contentsOf: String(Int(generator.next() % 70) - 35).utf8)
            }
            let expected = strtofBits(text)
            guard Float(bitPattern: expected).isFinite else { continue }
            if parsedBits(text) != expected { mismatches.append(String(decoding: text, as: UTF8.self)) }
        }
        #expect(mismatches.isEmpty, "\(mismatches.count) mismatches, first \(mismatches.prefix(5))")
    }

    @Test("exact halfway and near-halfway decimals between two floats")
    func halfwayCases() {
        // 1 + 2⁻²⁴ lies exactly halfway between 1 and the next float: ties go to even (1).
        for text in ["1.000000059604644775390625", "1.00000005960464477539062500001", "1.0000000596046447753906249999",
                     "16777217", "16777219", "3.4028235e38", "1.17549435e-38", "1e-45", "7e-46", "0.0", "-0", "00012.5000"] {
            #expect(parsedBits(Array(text.utf8)) == strtofBits(Array(text.utf8)), "\(text)")
        }
    }

    @Test("junk and non-finite tokens are rejected with the reason")
    func rejects() {
        func failure(_ text: String) -> FloatParser.Failure? {
            Array(text.utf8).withUnsafeBytes { buffer -> FloatParser.Failure? in
                do { _ = try FloatParser.parse(buffer); return nil } catch { return error as? FloatParser.Failure }
            }
        }
        for junk in ["", "-", "+", ".", "abc", "1.2.3", "1e", "1e+", "0x10", "1,5", "12a"] {
            #expect(failure(junk) == .notANumber, "\(junk)")
        }
        for nonFinite in ["nan", "NaN", "-inf", "Infinity", "1e39", "-3.5e38"] {
            #expect(failure(nonFinite) == .nonFinite, "\(nonFinite)")
        }
    }
}
