/// A heap block of bytes freed with its owner.
///
/// `@unchecked Sendable` is safe because it is only read after it has been filled.
final class OwnedBytes: @unchecked Sendable {
    private(set) var storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: max(1, capacity), alignment: 64)
    }

    var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: storage[0..<count]) }

    /// Free space at the end, growing the block when less than `minimum` bytes are left.
    func reserveTail(minimum: Int) -> UnsafeMutableRawBufferPointer {
        if storage.count - count < minimum {
            let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, count + minimum), alignment: 64)
            larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
            storage.deallocate()
            storage = larger
        }
        return UnsafeMutableRawBufferPointer(rebasing: storage[count...])
    }

    func didAppend(_ byteCount: Int) { count += byteCount }

    /// Appends a copy of `bytes`.
    func append(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        reserveTail(minimum: bytes.count).copyMemory(from: bytes)
        count += bytes.count
    }

    /// Drops everything after the first `length` bytes.
    func truncate(to length: Int) {
        precondition(length <= count, "OwnedBytes: cannot truncate \(count) bytes to \(length)")
        count = length
    }

    deinit { storage.deallocate() }
}
