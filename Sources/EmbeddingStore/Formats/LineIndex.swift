import Foundation
import LinearAlgebra

/// The start offsets of the lines in a byte range, found with both cores.
enum LineIndex {
    /// How many bytes a scan reads before releasing them from the resident set.
    static let releaseWindow = 8 << 20

    /// Offsets where lines start in `bytes[start...]`, in order; the first is `start`. A final
    /// newline does not start another line. Pages of `file` are released once scanned.
    static func lineStarts(in bytes: UnsafeRawBufferPointer, from start: Int, parallelism: Parallelism,
                           releasing file: MappedFile?) -> [Int] {
        let length = bytes.count - start
        guard length > 0 else { return [] }
        let chunkCount = max(1, min(parallelism.threadCount, length / (1 << 20)))
        let base = SharedReadOnlyPointer(base: bytes.baseAddress! + start)
        let results = UnsafeMutableBufferPointer<[Int]>.allocate(capacity: chunkCount)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        let output = SharedPointer(base: results.baseAddress!)
        Parallelism(threadCount: chunkCount).forEachChunk(of: chunkCount) { chunks in
            for chunk in chunks {
                let range = Parallelism.rangeOfChunk(chunk, chunkCount: chunkCount, count: length)
                var starts: [Int] = []
                starts.reserveCapacity(range.count / 64)
                var position = range.lowerBound
                var released = range.lowerBound
                while position < range.upperBound,
                      let found = memchr(base.base + position, 0x0A, range.upperBound - position) {
                    let newline = base.base.distance(to: UnsafeRawPointer(found))
                    if newline + 1 < length { starts.append(start + newline + 1) }
                    position = newline + 1
                    if position - released > releaseWindow {
                        file?.release((start + released)..<(start + position))
                        released = position
                    }
                }
                file?.release((start + released)..<(start + range.upperBound))
                (output.base + chunk).pointee = starts
            }
        }
        var all = [start]
        all.reserveCapacity(results.reduce(0) { $0 + $1.count } + 1)
        for chunk in results { all.append(contentsOf: chunk) }
        return all
    }
}
