import CZlib

/// CRC-32 (zlib's, the IEEE polynomial) of file sections: detects any change of one byte and
/// any burst of up to 32 bits, at several GB/s.
public enum Checksum {
    /// The CRC-32 of `bytes`, as 8 lowercase hex digits.
    /// - Complexity: O(n).
    public static func crc32Hex(_ bytes: UnsafeRawBufferPointer) -> String {
        let value = crc32(bytes)
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// The CRC-32 of `bytes`, or of the bytes checksummed so far (`continuing`) followed by them.
    /// - Complexity: O(n).
    public static func crc32(_ bytes: UnsafeRawBufferPointer, continuing previous: UInt32 = 0) -> UInt32 {
        var crc = uLong(previous)
        var offset = 0
        while offset < bytes.count, let base = bytes.baseAddress {
            let chunk = min(bytes.count - offset, 1 << 30)
            crc = CZlib.crc32(crc, base.advanced(by: offset).assumingMemoryBound(to: Bytef.self), uInt(chunk))
            offset += chunk
        }
        return UInt32(crc)
    }
}
