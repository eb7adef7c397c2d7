import Foundation
import LinearAlgebra
import LinearAlgebraKernels
import Testing

/// Floats copied to `byteOffset` bytes past a 64-byte boundary, so kernels see unaligned rows.
final class UnalignedFloats {
    let raw: UnsafeMutableRawPointer
    let pointer: UnsafeMutableRawPointer
    init(_ values: [Float], byteOffset: Int) {
        raw = .allocate(byteCount: values.count * 4 + 64 + byteOffset, alignment: 64)
        pointer = raw + byteOffset
        values.withUnsafeBytes { pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
    deinit { raw.deallocate() }
}

@Suite("Vector kernels match naive loops on every length and alignment")
struct VectorKernelTests {
    static let instructionSets = InstructionSet.allCases.filter(\.isSupported)
    static let lengths = Array(0...33) + [63, 64, 65, 300, 1001]

    @Test("dot, sum of squares and sum", arguments: instructionSets)
    func reductions(instructionSet: InstructionSet) {
        for length in Self.lengths {
            let a = randomValues(length, seed: UInt64(length)), b = randomValues(length, seed: UInt64(length) + 100)
            for offset in 0..<4 {
                let x = UnalignedFloats(a, byteOffset: offset), y = UnalignedFloats(b, byteOffset: 3 - offset)
                let isa = instructionSet.kernelValue
                let context = "length \(length) offset \(offset) \(instructionSet)"
                expectClose(ek_dot(isa, x.pointer, y.pointer, length), Naive.dot(a, b), tolerance: 1e-5, context)
                expectClose(ek_sum_of_squares(isa, x.pointer, length), Naive.dot(a, a), tolerance: 1e-5, context)
                expectClose(ek_sum(isa, x.pointer, length), Float(a.reduce(0.0) { $0 + Double($1) }),
                            tolerance: 1e-5, context)
            }
        }
    }

    @Test("sigmoid and SiLU within 3e-7 (relative) of Foundation's exp, over ±100, the tails and NaN", arguments: instructionSets)
    func logistic(instructionSet: InstructionSet) {
        var values = stride(from: -100.0 as Float, through: 100, by: 0.0137).map { $0 }
        values += [0, -0, 1e-30, -1e-30, 88.5, -88.5, 200, -200, .infinity, -.infinity, .greatestFiniteMagnitude, -.greatestFiniteMagnitude]
        for timesInput in [false, true] {
            var output = [Float](repeating: 0, count: values.count + 1)
            values.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    ek_sigmoid(instructionSet.kernelValue, x.count, x.baseAddress!, y.baseAddress!, timesInput ? 1 : 0)
                }
            }
            for (x, y) in zip(values, output) {
                let sigmoid = 1 / (1 + Foundation.exp(-Double(x))), expected = timesInput ? Double(x) * sigmoid : sigmoid
                let error = abs(Double(y) - expected)
                #expect(error <= 3e-7 * abs(expected) + 1e-35 || (x.isInfinite && timesInput), "\(instructionSet) x \(x): \(y), not \(expected)")
            }
            #expect(output[values.count] == 0, "wrote past the end")
        }
        let nan = [Float.nan, 1], result = nan.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: 2) { y, count in
                ek_sigmoid(instructionSet.kernelValue, 2, x.baseAddress!, y.baseAddress!, 0)
                count = 2
            }
        }
        #expect(result[0].isNaN && abs(result[1] - 0.7310586) < 1e-6)
    }

    @Test("the exact GELU within 1e-6 (absolute, and relative above 1) of x · Φ(x) in double precision, over ±50, the tails and NaN; any length", arguments: instructionSets)
    func gelu(instructionSet: InstructionSet) {
        var values = stride(from: -50.0 as Float, through: 50, by: 0.0071).map { $0 }
        values += [0, -0, 1e-30, -1e-30, 1e30, -1e30, .infinity]
        var output = [Float](repeating: 0, count: values.count + 1)
        values.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in ek_gelu(instructionSet.kernelValue, x.count, x.baseAddress!, y.baseAddress!) }
        }
        for (x, y) in zip(values, output) {
            let expected = x.isInfinite ? (x > 0 ? Double.infinity : 0) : Double(x) * 0.5 * (1 + Foundation.erf(Double(x) / 2.0.squareRoot()))
            #expect(y.isInfinite ? Double(y) == expected : abs(Double(y) - expected) <= 1e-6 * max(1, abs(expected)), "\(instructionSet) x \(x): \(y), not \(expected)")
        }
        #expect(output[values.count] == 0, "wrote past the end")
        // NaN stays NaN; −∞ · Φ(−∞) is −∞ · 0, NaN, as PyTorch computes it.
        let tail: [Float] = [.nan, 1, 2, -.infinity], result = tail.withUnsafeBufferPointer { x in
            [Float](unsafeUninitializedCapacity: 4) { y, count in
                ek_gelu(instructionSet.kernelValue, 4, x.baseAddress!, y.baseAddress!)
                count = 4
            }
        }
        #expect(result[0].isNaN && abs(result[1] - 0.8413447) < 1e-6 && abs(result[2] - 1.9544997) < 1e-6 && result[3].isNaN)
    }

    @Test("the exact GELU's gradient within 1e-6 (absolute, relative above 1) of dy · (Φ(x) + x · φ(x)) in double precision over ±50; NaN stays NaN; any length", arguments: instructionSets)
    func geluGradient(instructionSet: InstructionSet) {
        let values = stride(from: -50.0 as Float, through: 50, by: 0.0071).map { $0 } + [0, -0, 1e-30, 1e30, -1e30, .nan]
        let upstream = values.indices.map { Float($0 % 7) - 3.25 }
        var output = [Float](repeating: 0, count: values.count + 1)
        values.withUnsafeBufferPointer { x in
            upstream.withUnsafeBufferPointer { dy in
                output.withUnsafeMutableBufferPointer { dx in ek_gelu_backward(instructionSet.kernelValue, x.count, x.baseAddress!, dy.baseAddress!, dx.baseAddress!) }
            }
        }
        for (index, x) in values.enumerated() {
            let v = Double(x), cdf = 0.5 * (1 + Foundation.erf(v / 2.0.squareRoot()))
            let density = abs(v) < 10 ? v * Foundation.exp(-0.5 * v * v) / (2 * Double.pi).squareRoot() : 0
            let expected = Double(upstream[index]) * (cdf + density), y = output[index]
            if x.isNaN {
                #expect(y.isNaN)
            } else {
                #expect(abs(Double(y) - expected) <= 1e-6 * max(1, abs(expected)), "\(instructionSet) x \(x): \(y), not \(expected)")
            }
        }
        #expect(output[values.count] == 0, "wrote past the end")
    }

    @Test("axpy and scale", arguments: instructionSets)
    func updates(instructionSet: InstructionSet) {
        for length in Self.lengths {
            let x = randomValues(length, seed: UInt64(length) + 7), start = randomValues(length, seed: UInt64(length) + 8)
            for offset in 0..<4 {
                let source = UnalignedFloats(x, byteOffset: offset)
                var y = start
                y.withUnsafeMutableBufferPointer { ek_axpy(instructionSet.kernelValue, length, -0.75, source.pointer, $0.baseAddress) }
                expectClose(y, zip(start, x).map { $0 + -0.75 * $1 }, tolerance: 1e-6, "axpy length \(length)")
            }
            var scaled = start
            scaled.withUnsafeMutableBufferPointer { ek_scale(instructionSet.kernelValue, length, 2.5, $0.baseAddress) }
            #expect(scaled == start.map { $0 * 2.5 }, "scale length \(length)")
        }
    }

    @Test("the Swift wrappers: dot, axpy, add, scale, norm, normalize")
    func wrappers() {
        let a = randomValues(37, seed: 1), b = randomValues(37, seed: 2)
        a.withUnsafeBufferPointer { x in
            b.withUnsafeBufferPointer { y in expectClose(Kernels.dot(x, y), Naive.dot(a, b), tolerance: 1e-5) }
        }
        var y = b
        a.withUnsafeBufferPointer { x in y.withUnsafeMutableBufferPointer { Kernels.add(x, to: $0) } }
        expectClose(y, zip(a, b).map(+), tolerance: 1e-6)
        var vector = Vector(a)
        expectClose(vector.l2Norm, Naive.dot(a, a).squareRoot(), tolerance: 1e-5)
        vector.normalize()
        expectClose(vector.l2Norm, 1, tolerance: 1e-6)
        var zero = Vector(count: 5)
        zero.normalize()
        #expect(Array(zero) == [0, 0, 0, 0, 0], "a zero vector stays zero, not NaN")
    }

    @Test("unaligned rows through the raw-pointer entry points")
    func unalignedWrappers() {
        let a = randomValues(301, seed: 3), b = randomValues(301, seed: 4)
        let x = UnalignedFloats(a, byteOffset: 1), y = UnalignedFloats(b, byteOffset: 2)
        expectClose(Kernels.dot(x.pointer, y.pointer, count: 301), Naive.dot(a, b), tolerance: 1e-5)
        expectClose(Kernels.l2Norm(x.pointer, count: 301), Naive.dot(a, a).squareRoot(), tolerance: 1e-5)
        var out = [Float](repeating: 1, count: 301)
        out.withUnsafeMutableBufferPointer { Kernels.axpy(2, x.pointer, $0) }
        expectClose(out, a.map { 1 + 2 * $0 }, tolerance: 1e-6)
    }
}

@Suite("Element-wise kernels match naive loops on every length")
struct ElementwiseKernelTests {
    @Test("relu, its backward pass, a clamp's backward pass and the element-wise product", arguments: VectorKernelTests.instructionSets)
    func elementwise(instructionSet: InstructionSet) {
        let isa = instructionSet.kernelValue
        for length in VectorKernelTests.lengths {
            let x = randomValues(length, seed: UInt64(length) + 40), g = randomValues(length, seed: UInt64(length) + 41)
            var relu = x
            relu.withUnsafeMutableBufferPointer { ek_relu(isa, length, $0.baseAddress) }
            #expect(relu == x.map { $0 > 0 ? $0 : 0 }, "relu length \(length)")
            var backward = g
            x.withUnsafeBufferPointer { a in backward.withUnsafeMutableBufferPointer { ek_relu_backward(isa, length, a.baseAddress, $0.baseAddress) } }
            #expect(backward == zip(x, g).map { $0 > 0 ? $1 : 0 }, "relu backward length \(length)")
            var clamped = g
            let bounds = x.map { min(max($0, -0.5), 0.5) }  // values exactly at the bounds pass no gradient
            bounds.withUnsafeBufferPointer { a in clamped.withUnsafeMutableBufferPointer { ek_clamp_backward(isa, length, a.baseAddress, -0.5, 0.5, $0.baseAddress) } }
            #expect(clamped == zip(bounds, g).map { $0 > -0.5 && $0 < 0.5 ? $1 : 0 }, "clamp backward length \(length)")
            var product = g
            x.withUnsafeBufferPointer { a in product.withUnsafeMutableBufferPointer { ek_multiply_elementwise(isa, length, a.baseAddress, $0.baseAddress) } }
            #expect(product == zip(x, g).map { $0 * $1 }, "product length \(length)")
        }
    }
}

@Suite("The Adam step kernel matches the textbook update")
struct AdamKernelTests {
    @Test("every length 0…33 and beyond", arguments: VectorKernelTests.instructionSets)
    func adam(instructionSet: InstructionSet) {
        for length in VectorKernelTests.lengths {
            let g = randomValues(length, seed: UInt64(length) + 60)
            var m = randomValues(length, seed: UInt64(length) + 61), v = randomValues(length, seed: UInt64(length) + 62).map(abs)
            var w = randomValues(length, seed: UInt64(length) + 63)
            var expectedM = m, expectedV = v, expectedW = w
            for i in 0..<length {
                expectedM[i] = 0.9 * m[i] + 0.1 * g[i]
                expectedV[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
                expectedW[i] = w[i] - 0.01 * expectedM[i] / (expectedV[i].squareRoot() + 1e-8)
            }
            g.withUnsafeBufferPointer { g in
                m.withUnsafeMutableBufferPointer { m in
                    v.withUnsafeMutableBufferPointer { v in
                        w.withUnsafeMutableBufferPointer { w in
                            ek_adam_step(instructionSet.kernelValue, length, g.baseAddress, m.baseAddress, v.baseAddress, w.baseAddress,
                                         0.9, 0.999, 0.01, 1e-8)
                        }
                    }
                }
            }
            expectClose(m, expectedM, tolerance: 1e-6, "m length \(length)")
            expectClose(v, expectedV, tolerance: 1e-6, "v length \(length)")
            expectClose(w, expectedW, tolerance: 1e-5, "w length \(length)")
        }
    }
}
