import LinearAlgebra
import Testing

@Suite("Vector and Matrix are aligned values with copy-on-write")
struct VectorMatrixTests {
    @Test("storage is 64-byte aligned")
    func alignment() {
        for count in [0, 1, 3, 17, 1000] {
            Vector(count: count).withUnsafeBufferPointer { #expect(Int(bitPattern: $0.baseAddress) % 64 == 0) }
            Matrix(rows: count, columns: 3).withUnsafeBufferPointer { #expect(Int(bitPattern: $0.baseAddress) % 64 == 0) }
        }
    }

    @Test("copies are independent")
    func copyOnWrite() {
        var a = Vector([1, 2, 3])
        let b = a
        a[0] = 10
        #expect(Array(a) == [10, 2, 3] && Array(b) == [1, 2, 3])
        var m = Matrix(rows: 2, columns: 2, elements: [1, 2, 3, 4])
        let n = m
        m[1, 1] = 0
        #expect(n[1, 1] == 4 && m[1, 1] == 0)
        #expect(Array(n.row(1)) == [3, 4])
    }

    @Test("products agree with naive loops")
    func products() {
        let a = Matrix(rows: 3, columns: 2, elements: [1, 2, 3, 4, 5, 6])
        #expect(Array(a.multiplied(by: Vector([1, -1]))) == [-1, -1, -1])
        #expect(Array(a.transposedMultiplied(by: Vector([1, 0, 2]))) == [11, 14])
        let product = Matrix.product(a, a, transposeA: .transposed)
        #expect(product == Matrix(rows: 2, columns: 2, elements: [35, 44, 44, 56]))
        #expect(Vector([1, 2]).dot(Vector([3, 4])) == 11)
    }
}
