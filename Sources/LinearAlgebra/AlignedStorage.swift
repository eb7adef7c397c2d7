import Foundation

/// A 64-byte-aligned block of floats owned by `Vector` and `Matrix`, zero-initialised unless its
/// owner is about to write every element.
///
/// `@unchecked Sendable` is safe because the owners copy it before writing unless they hold the
/// only reference (copy-on-write), so a shared instance is never mutated.
final class AlignedStorage: @unchecked Sendable {
    static let alignment = 64

    let pointer: UnsafeMutablePointer<Float>
    let count: Int
    /// The bytes of the block `pointer` points to (a `BlockCache` size class, perhaps a larger cached one).
    private let blockBytes: Int

    init(count: Int, zeroed: Bool = true) {
        precondition(count >= 0, "AlignedStorage: negative count \(count)")
        var bytes = BlockCache.blockSize(for: max(1, count) * MemoryLayout<Float>.stride)
        var raw: UnsafeMutableRawPointer?
        if let cached = BlockCache.take(bytes: bytes) {
            (raw, bytes) = (cached.block, cached.bytes)
        } else {
            guard posix_memalign(&raw, AlignedStorage.alignment, bytes) == 0, raw != nil else {
                fatalError("AlignedStorage: cannot allocate \(bytes) bytes")
            }
        }
        blockBytes = bytes
        pointer = raw!.bindMemory(to: Float.self, capacity: max(1, count))
        if zeroed { pointer.initialize(repeating: 0, count: max(1, count)) } else { pointer.initialize(to: 0) }
        self.count = count
    }

    func copy() -> AlignedStorage {
        let result = AlignedStorage(count: count, zeroed: false)
        result.pointer.update(from: pointer, count: count)
        return result
    }

    var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: pointer, count: count) }

    deinit {
        if !BlockCache.give(UnsafeMutableRawPointer(pointer), bytes: blockBytes) { free(pointer) }
    }
}
