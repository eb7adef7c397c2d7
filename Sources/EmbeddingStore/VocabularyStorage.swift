/// The three arrays behind a `Vocabulary`, either owned or pointing into a mapped native file.
///
/// `@unchecked Sendable` is safe because the arrays are never written after construction.
final class VocabularyStorage: @unchecked Sendable {
    let bytes: UnsafeBufferPointer<UInt8>
    /// `count + 1` offsets into `bytes`; word i is `bytes[offsets[i] ..< offsets[i + 1]]`.
    let offsets: UnsafeBufferPointer<UInt64>
    /// Power-of-two open-addressing table of `index + 1`, 0 marking an empty slot.
    let table: UnsafeBufferPointer<UInt32>
    /// What keeps the memory alive: nil when this storage owns (and frees) the arrays.
    private let owner: AnyObject?

    /// Takes ownership of three allocated buffers.
    init(owning bytes: UnsafeMutableBufferPointer<UInt8>, offsets: UnsafeMutableBufferPointer<UInt64>,
         table: UnsafeMutableBufferPointer<UInt32>) {
        self.bytes = UnsafeBufferPointer(bytes)
        self.offsets = UnsafeBufferPointer(offsets)
        self.table = UnsafeBufferPointer(table)
        owner = nil
    }

    /// Points into memory that `owner` keeps alive (a mapped native file).
    init(bytes: UnsafeBufferPointer<UInt8>, offsets: UnsafeBufferPointer<UInt64>,
         table: UnsafeBufferPointer<UInt32>, keptAliveBy owner: AnyObject) {
        self.bytes = bytes
        self.offsets = offsets
        self.table = table
        self.owner = owner
    }

    deinit {
        if owner == nil {
            bytes.deallocate()
            offsets.deallocate()
            table.deallocate()
        }
    }
}
