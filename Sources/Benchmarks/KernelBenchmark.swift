import Foundation
import LinearAlgebra
import LinearAlgebraKernels

/// `embkit-bench kernels [--rows N] [--quick]`: dot, matrix×vector against a streaming read, and
/// matrix products against the FMA peak, per instruction set and thread count.
enum KernelBenchmark {
    static func run(_ arguments: ArraySlice<String>) throws {
        if arguments.contains("--depthwise") {
            measureDepthwise()
            return
        }
        let quick = arguments.contains("--quick")
        let rows = quick ? 100_000 : 1_000_000
        report(Measurement.machineDescription())
        report("detected instruction set: \(InstructionSet.detected.rawValue)")
        let supported = InstructionSet.allCases.filter(\.isSupported)
        let peaks = measurePeaks(supported)
        measureDot(supported)
        measureMatrixVector(rows: rows, columns: 300)
        for size in quick ? [256, 1024] : [1024, 4096] {
            measureMatrixProduct(size: size, peaks: peaks)
        }
        measureDepthwise()
    }

    /// GMAC/s of the 3 × 3 depthwise kernel (pad 1, ReLU6) at MobileNetV2's map sizes, one thread,
    /// all channels of one layer per call, as the network runs it.
    static func measureDepthwise() {
        report("\n## depthwise 3×3 convolution at MobileNetV2's layer shapes (1 thread, GMAC/s)")
        let layers = [(32, 112, 1), (96, 112, 2), (144, 56, 1), (144, 56, 2), (192, 28, 1), (192, 28, 2), (384, 14, 1),
                      (576, 14, 1), (576, 14, 2), (960, 7, 1)]
        for (channels, size, stride) in layers {
            let outputSize = (size + 2 - 3) / stride + 1
            let input = (0..<(channels * size * size)).map { Float($0 % 13) * 0.1 - 0.5 }
            let filters = (0..<(channels * 9)).map { Float($0 % 7) * 0.05 }
            var output = [Float](repeating: 0, count: channels * outputSize * outputSize)
            let seconds = Measurement.medianSeconds(repetitions: 7) {
                input.withUnsafeBufferPointer { source in
                    filters.withUnsafeBufferPointer { filter in
                        output.withUnsafeMutableBufferPointer { target in
                            for channel in 0..<channels {
                                Kernels.depthwiseMap(source.baseAddress! + channel * size * size, height: size, width: size,
                                                     filter: filter.baseAddress! + channel * 9, kernel: (3, 3), stride: (stride, stride),
                                                     dilation: (1, 1), padding: (1, 1), bias: 0.1, clampedTo: 0...6,
                                                     into: target.baseAddress! + channel * outputSize * outputSize,
                                                     outputHeight: outputSize, outputWidth: outputSize)
                            }
                        }
                    }
                }
            }
            blackHole(output[output.count / 2])
            let macs = Double(channels * outputSize * outputSize * 9)
            report("\(channels) × \(size)² stride \(stride): \(format(macs / seconds / 1e9)) GMAC/s, \(format(seconds * 1e6)) µs")
        }
    }

    /// GFLOP/s of independent FMAs in registers, per instruction set, on 1 and all threads.
    static func measurePeaks(_ sets: [InstructionSet]) -> [Int: Double] {
        report("\n## FMA peak (independent fused multiply-adds in registers)")
        var peaks: [Int: Double] = [:]
        let iterations = 50_000_000
        for set in sets {
            var line = "\(set.rawValue):"
            for threads in [1, Parallelism.available.threadCount] {
                let seconds = Measurement.medianSeconds(repetitions: 3) {
                    Parallelism(threadCount: threads).forEachChunk(of: threads) { _ in
                        var sink: Float = 0
                        _ = ek_fma_peak_loop(set.kernelValue, iterations, &sink)
                        blackHole(sink)
                    }
                }
                var sink: Float = 0
                let flops = ek_fma_peak_loop(set.kernelValue, 1, &sink) * Double(iterations) * Double(threads)
                let gflops = flops / seconds / 1e9
                if set == .detected { peaks[threads] = gflops }
                line += "  \(threads) thread(s) \(format(gflops)) GFLOP/s"
            }
            report(line)
        }
        return peaks
    }

    /// Nanoseconds per dot product of 300 floats, per instruction set and for plain Swift SIMD code.
    static func measureDot(_ sets: [InstructionSet]) {
        report("\n## dot, 300 floats (ns per call)")
        let count = 300, calls = 2_000_000
        var a = (0..<count).map { Float($0 % 7) * 0.1 }
        let b = (0..<count).map { Float($0 % 5) * 0.2 }
        // Each call sees a different `a[0]`, so no call can be hoisted out of the loop; the calls are
        // independent of each other, so this measures throughput.
        func time(_ dot: (UnsafeMutableBufferPointer<Float>, UnsafeBufferPointer<Float>) -> Float) -> Double {
            a.withUnsafeMutableBufferPointer { a in
                b.withUnsafeBufferPointer { b in
                    Measurement.medianSeconds(repetitions: 5) {
                        var total: Float = 0
                        for call in 0..<calls {
                            a[0] = Float(call & 7)
                            total += dot(a, b)
                        }
                        blackHole(total)
                    } / Double(calls) * 1e9
                }
            }
        }
        for set in sets {
            let nanoseconds = time { ek_dot(set.kernelValue, $0.baseAddress, $1.baseAddress, count) }
            report("C kernel \(set.rawValue): \(format(nanoseconds, 2)) ns")
        }
        let nanoseconds = time { swiftSIMDDot(UnsafeBufferPointer($0), $1) }
        report("Swift SIMD16 (default codegen, no flags): \(format(nanoseconds, 2)) ns")
    }

    /// Matrix×vector over a rows × columns matrix against a plain streaming read of its bytes.
    static func measureMatrixVector(rows: Int, columns: Int) {
        let bytes = Double(rows * columns * 4)
        report("\n## matrix×vector, \(rows) × \(columns) (\(format(bytes / 1e9, 2)) GB)")
        var matrix = Matrix(rows: rows, columns: columns)
        matrix.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = Float(index % 1013) * 1e-3 }
        }
        let x = Vector((0..<columns).map { Float($0 % 11) * 0.1 })
        for threads in [1, Parallelism.available.threadCount] {
            let parallelism = Parallelism(threadCount: threads)
            let read = Measurement.medianSeconds(repetitions: 5) {
                matrix.withUnsafeBufferPointer { streamingSum($0, parallelism: parallelism) }
            }
            let gemv = Measurement.medianSeconds(repetitions: 5) {
                blackHole(matrix.multiplied(by: x, parallelism: parallelism)[0])
            }
            report("\(threads) thread(s): streaming read \(format(read * 1e3, 2)) ms (\(format(bytes / read / 1e9)) GB/s), "
                + "matrix×vector \(format(gemv * 1e3, 2)) ms (\(format(bytes / gemv / 1e9)) GB/s), "
                + "ratio \(format(gemv / read, 3))× (target ≤ 1.25)")
        }
    }

    /// GFLOP/s of a size³ product (all four transpose variants on all threads) against the peak.
    static func measureMatrixProduct(size: Int, peaks: [Int: Double]) {
        report("\n## matrix product \(size)³")
        var generator = SplitMix64(seed: 1)
        let a = Matrix(rows: size, columns: size, initializer: .uniform(limit: 1), using: &generator)
        let b = Matrix(rows: size, columns: size, initializer: .uniform(limit: 1), using: &generator)
        var c = Matrix(rows: size, columns: size)
        let flops = 2 * Double(size) * Double(size) * Double(size)
        let variants: [(Transpose, Transpose)] = [(.none, .none), (.transposed, .none), (.none, .transposed)]
        for threads in [1, Parallelism.available.threadCount] {
            for (ta, tb) in variants where threads > 1 || (ta, tb) == (.none, .none) {
                let parallelism = Parallelism(threadCount: threads)
                let seconds = Measurement.medianSeconds(repetitions: size > 2048 ? 2 : 5) {
                    c.multiplyAdd(a, b, transposeA: ta, transposeB: tb, parallelism: parallelism)
                }
                let gflops = flops / seconds / 1e9
                let peak = peaks[threads] ?? .nan
                report("\(threads) thread(s) op(A)=\(ta) op(B)=\(tb): \(format(seconds * 1e3)) ms, \(format(gflops)) GFLOP/s, "
                    + "\(format(100 * gflops / peak))% of the \(format(peak)) GFLOP/s peak (target ≥ 60%)")
            }
        }
    }

    static func streamingSum(_ values: UnsafeBufferPointer<Float>, parallelism: Parallelism) {
        let base = UnsafeRawPointer(values.baseAddress!)
        let address = Int(bitPattern: base)
        let isa = InstructionSet.detected.kernelValue
        parallelism.forEachChunk(of: values.count, minimumChunkSize: 65_536) { range in
            let start = UnsafeRawPointer(bitPattern: address)! + range.lowerBound * 4
            blackHole(ek_sum(isa, start, range.count))
        }
    }

    /// A dot product written with Swift's portable SIMD types, for comparison.
    @inline(never)
    static func swiftSIMDDot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        var sum = SIMD16<Float>()
        var index = 0
        while index + 16 <= a.count {
            let x = UnsafeRawPointer(a.baseAddress! + index).loadUnaligned(as: SIMD16<Float>.self)
            let y = UnsafeRawPointer(b.baseAddress! + index).loadUnaligned(as: SIMD16<Float>.self)
            sum += x * y
            index += 16
        }
        var total = sum.sum()
        while index < a.count {
            total += a[index] * b[index]
            index += 1
        }
        return total
    }
}

/// Keeps a value alive so the optimiser cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
