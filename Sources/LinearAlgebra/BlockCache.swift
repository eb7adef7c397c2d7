import Foundation
import Synchronization

/// Large float blocks a tensor freed, kept for the next allocation of the same size.
///
/// A training step allocates the same activation and gradient sizes every time, tens to hundreds
/// of megabytes each. The C allocator serves blocks that large from fresh mappings and returns
/// them on free, so every step paid the kernel for zeroing new pages: a third of the time of a
/// MobileNetV2 fine-tuning step at 224 × 224 (`clear_page` and page faults in `perf`). Reusing the
/// freed blocks removes that. The cache holds at most `capacity` bytes, takes only blocks of at
/// least `minimumBytes`, and gives memory back when full (it is shared process-wide, like the C
/// allocator's own arenas, and never changes a result).
enum BlockCache {
    /// Blocks smaller than this go straight back to the C allocator.
    static let minimumBytes = 1 << 20
    /// The most bytes the cache keeps: a whole MobileNetV2 step at 224 × 224 in batches of 32
    /// frees more than 1 GiB (with 1 GiB, half its page faults remained; peak RSS is the same).
    static let capacity = 1 << 31

    private struct State: ~Copyable {
        /// Each cached block's address, by its size in bytes.
        var blocks: [Int: [UInt]] = [:]
        var bytes = 0
    }

    private static let state = Mutex(State())

    /// A cached block of exactly `bytes`, or nil.
    static func take(bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= minimumBytes else { return nil }
        return state.withLock { state in
            guard let block = state.blocks[bytes]?.popLast() else { return nil }
            state.bytes -= bytes
            return UnsafeMutableRawPointer(bitPattern: block)
        }
    }

    /// Keeps `block` of `bytes` for reuse; false when it is too small or the cache is full (the caller frees it).
    static func give(_ block: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        guard bytes >= minimumBytes else { return false }
        return state.withLock { state in
            guard state.bytes + bytes <= capacity else { return false }
            state.blocks[bytes, default: []].append(UInt(bitPattern: block))
            state.bytes += bytes
            return true
        }
    }
}
