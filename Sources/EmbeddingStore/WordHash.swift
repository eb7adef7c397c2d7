/// The hash of a word's UTF-8 bytes used by the vocabulary index (64-bit FNV-1a). Stored indexes
/// in native files and the n-gram buckets of model files depend on it, so it never changes
/// within a format version.
public enum WordHash {
    /// The 64-bit FNV-1a hash of `bytes`.
    /// - Complexity: O(n).
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// The table size for `count` words: a power of two at least twice the count.
    static func tableSize(for count: Int) -> Int {
        var size = 16
        while size < 2 * count { size <<= 1 }
        return size
    }
}
