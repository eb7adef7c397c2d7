import LinearAlgebra
import LinearAlgebraKernels
import Testing

/// The float16 and int8 kernels against naive loops (Swift's own `Float16` conversions as the
/// reference) on every length 0…33, unaligned rows, each instruction set this CPU runs.
@Suite("Compact-row kernels match naive loops")
struct CompactKernelTests {
    static let instructionSets = InstructionSet.allCases.filter(\.isSupported)

    @Test("float16 → float32 decodes every bit pattern as Swift's Float16 does", arguments: instructionSets)
    func decodesEveryHalf(instructionSet: InstructionSet) {
        let patterns = (0...UInt16.max).map { $0 }
        var decoded = [Float](repeating: 0, count: patterns.count)
        ek_f16_to_f32(instructionSet.kernelValue, patterns.count, patterns, &decoded)
        for (pattern, value) in zip(patterns, decoded) {
            let expected = Float(Float16(bitPattern: pattern))
            #expect(value.bitPattern == expected.bitPattern || (value.isNaN && expected.isNaN), "0x\(String(pattern, radix: 16))")
        }
    }

    @Test("float32 → float16 rounds as Swift's Float16 does (ties to even, overflow to infinity)", arguments: instructionSets)
    func encodesLikeFloat16(instructionSet: InstructionSet) {
        var values: [Float] = [0, -0, 1, -1, 65504, 65519.996, 65520, -65520, 1e30, .infinity, -.infinity,
                               0x1p-14, 0x1p-24, 0x1p-25, 0x1.8p-24, 0x1p-26, 1e-30, 2049, 2051, 0.1, 3.14159]
        var generator = SplitMix64Reference(seed: 5)
        for _ in 0..<20_000 {
            // Random bit patterns across the float16 range and around it.
            let exponent = Int(generator.next() % 50) - 30
            values.append(Float(sign: generator.next() & 1 == 0 ? .plus : .minus, exponent: exponent,
                                significand: 1 + Float(generator.next() >> 41) * 0x1p-23))
        }
        var encoded = [UInt16](repeating: 0, count: values.count)
        ek_f32_to_f16(instructionSet.kernelValue, values.count, values, &encoded)
        for (value, half) in zip(values, encoded) {
            #expect(half == Float16(value).bitPattern, "\(value): 0x\(String(half, radix: 16))")
        }
    }

    @Test("float16 matrix × vector on lengths 0…33 and 300", arguments: instructionSets)
    func halfMatrixVector(instructionSet: InstructionSet) {
        for columns in Array(0...33) + [300] {
            let rows = 9, stride = columns + 1  // two groups of four rows and one single
            let values = randomValues(rows * stride, seed: UInt64(columns))
            let halves = values.map { Float16($0).bitPattern }
            let x = randomValues(columns, seed: UInt64(columns) + 100)
            // One byte of offset makes every row unaligned.
            var bytes = [UInt8](repeating: 0, count: 1)
            halves.forEach { withUnsafeBytes(of: $0) { bytes.append(contentsOf: $0) } }
            var y = [Float](repeating: .nan, count: rows)
            bytes.withUnsafeBytes { ek_gemv_f16(instructionSet.kernelValue, rows, columns, $0.baseAddress! + 1, stride, x, &y) }
            for row in 0..<rows {
                var expected: Float = 0
                for column in 0..<columns { expected += Float(Float16(bitPattern: halves[row * stride + column])) * x[column] }
                expectClose(y[row], expected, tolerance: 1e-5, "float16 gemv, \(columns) columns, row \(row)")
            }
        }
    }

    @Test("int8 matrix × int16 vector on lengths 0…33 and beyond one int32 block, exactly", arguments: instructionSets)
    func int8MatrixVector(instructionSet: InstructionSet) {
        var generator = SplitMix64Reference(seed: 9)
        for columns in Array(0...33) + [2047, 2048, 2049, 5000] {
            let rows = 9, stride = columns + 3  // two groups of four rows and one single
            // Extreme codes and queries too: every product at its largest.
            let codes: [Int8] = (0..<(rows * stride)).map { index in index % 7 == 0 ? 127 : Int8(truncatingIfNeeded: generator.next()) }
            let x: [Int16] = (0..<columns).map { index in index % 5 == 0 ? 32767 : Int16(truncatingIfNeeded: generator.next()) }
            let scales: [Float] = [0.5, 1, 0.25, 2, 0.125, 1, 3, 0.5, 4]
            var y = [Float](repeating: .nan, count: rows)
            ek_gemv_i8(instructionSet.kernelValue, rows, columns, codes, stride, x, scales, 2, &y)
            for row in 0..<rows {
                var sum = 0
                for column in 0..<columns { sum += Int(codes[row * stride + column]) * Int(x[column]) }
                #expect(y[row] == Float(Double(sum)) * (scales[row] * 2), "int8 gemv, \(columns) columns, row \(row)")
            }
        }
    }

    @Test("the scan's candidate filter keeps exactly the rows a naive loop keeps, extreme norms included", arguments: instructionSets)
    func candidateFilter(instructionSet: InstructionSet) {
        for count in Array(0...33) + [1024] {
            let dots = randomValues(count, seed: UInt64(count) + 7)
            var norms = randomValues(count, seed: UInt64(count) + 8).map { abs($0) + 0.01 }
            if count > 5 { norms[1] = 0; norms[3] = 1e30; norms[5] = 1e-30 }
            for threshold: Float in [-.infinity, -0.5, 0, 0.3, 0.9] {
                var indices = [UInt32](repeating: 0, count: max(count, 1))
                let found = ek_select_candidates(instructionSet.kernelValue, count, dots, norms, threshold, &indices)
                let expected = (0..<count).filter { index in
                    let bar = threshold * norms[index]
                    return dots[index] >= bar - abs(bar) * 1e-6 || !(norms[index] >= 1e-18 && norms[index] <= 1e18)
                }
                #expect(indices.prefix(found).map(Int.init) == expected, "\(count) rows, threshold \(threshold)")
            }
        }
    }
}
