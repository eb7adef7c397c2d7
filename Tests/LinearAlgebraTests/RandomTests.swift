import LinearAlgebra
import Testing

@Suite("SplitMix64 and the initialisers are seeded and reproducible")
struct RandomTests {
    @Test("SplitMix64 reproduces the published sequence for seed 0")
    func knownSequence() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }

    @Test("unit floats lie in [0, 1) and normals have the requested moments")
    func distributions() {
        var generator = SplitMix64(seed: 42)
        let uniforms = (0..<100_000).map { _ in generator.nextUnitFloat() }
        #expect(uniforms.allSatisfy { $0 >= 0 && $0 < 1 })
        expectClose(uniforms.reduce(0, +) / 100_000, 0.5, tolerance: 0.01)
        let normals = (0..<100_000).map { _ in generator.nextNormal(mean: 2, standardDeviation: 3) }
        let mean = normals.reduce(0, +) / 100_000
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 100_000
        expectClose(mean, 2, tolerance: 0.02)
        expectClose(variance.squareRoot(), 3, tolerance: 0.02)
    }

    @Test("the same seed gives the same matrix; Glorot stays within its limit")
    func initializers() {
        var first = SplitMix64(seed: 7), second = SplitMix64(seed: 7)
        let a = Matrix(rows: 20, columns: 30, initializer: .glorotUniform, using: &first)
        let b = Matrix(rows: 20, columns: 30, initializer: .glorotUniform, using: &second)
        #expect(a == b)
        let limit = (6 / Float(50)).squareRoot()
        #expect(a.withUnsafeBufferPointer { $0.allSatisfy { abs($0) <= limit } })
        #expect(Matrix(rows: 2, columns: 2, initializer: .zeros, using: &first) == Matrix(rows: 2, columns: 2))
    }
}
