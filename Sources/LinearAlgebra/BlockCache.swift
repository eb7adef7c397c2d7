import Foundation
import Synchronization

/// Large float blocks a tensor freed, kept for the next allocation of the same size class.
///
/// A training step allocates the same activation and gradient sizes every time, tens to hundreds
/// of megabytes each. The C allocator serves blocks that large from fresh mappings and returns
/// them on free, so every step paid the kernel for zeroing new pages: a third of the time of a
/// MobileNetV2 fine-tuning step at 224 × 224 (`clear_page` and page faults in `perf`). Reusing the
/// freed blocks removes that.
///
/// Blocks are sized in classes of sixteen per doubling, and a request takes the smallest cached
/// block up to half as large again, so work whose shapes vary — a sentence encoder's batches of
/// different lengths, in training drawn at random — reuses them too.
/// The cache holds no more than the most bytes that were ever live in blocks at once (nor more than
/// `capacity`); when a freed block does not fit, the longest-kept blocks are given back first, so
/// sizes that stopped recurring do not stay. It is shared process-wide, like the C allocator's own
/// arenas, and never changes a result.
enum BlockCache {
    /// Blocks smaller than this go straight back to the C allocator.
    static let minimumBytes = 1 << 20
    /// The most bytes the cache keeps: a whole MobileNetV2 step at 224 × 224 in batches of 32
    /// frees more than 1 GiB (with 1 GiB, half its page faults remained; peak RSS is the same).
    static let capacity = 1 << 31

    private struct State: ~Copyable {
        /// The cached blocks, longest-kept first: address and size class in bytes.
        var blocks: [(address: UInt, bytes: Int)] = []
        /// The bytes cached.
        var bytes = 0
        /// The bytes in blocks of at least `minimumBytes` handed out and not yet freed, and their most.
        var live = 0, peakLive = 0
    }

    private static let state = Mutex(State())

    /// The bytes to allocate for a block of at least `bytes`: small blocks as asked, large ones
    /// rounded up to their size class (the top five bits kept).
    static func blockSize(for bytes: Int) -> Int {
        guard bytes >= minimumBytes else { return bytes }
        let shift = Int.bitWidth - bytes.leadingZeroBitCount - 5
        return ((bytes + (1 << shift) - 1) >> shift) << shift
    }

    /// The smallest cached block of at least `bytes` (a size class) and less than half as large
    /// again, with its size, or nil; either way the block counts as live.
    static func take(bytes: Int) -> (block: UnsafeMutableRawPointer, bytes: Int)? {
        guard bytes >= minimumBytes else { return nil }
        return state.withLock { state in
            var best: Int?
            for (index, block) in state.blocks.enumerated() where block.bytes >= bytes && block.bytes < bytes + bytes / 2 {
                if block.bytes == bytes { best = index; break }
                if best.map({ block.bytes < state.blocks[$0].bytes }) ?? true { best = index }
            }
            let taken = best.map { state.blocks.remove(at: $0) }
            state.bytes -= taken?.bytes ?? 0
            state.live += taken?.bytes ?? bytes
            state.peakLive = max(state.peakLive, state.live)
            return taken.map { (UnsafeMutableRawPointer(bitPattern: $0.address)!, $0.bytes) }
        }
    }

    /// Keeps `block` of `bytes` for reuse, giving back the longest-kept blocks when it would not
    /// fit; false when it is too small or larger than the cache may hold (the caller frees it).
    static func give(_ block: UnsafeMutableRawPointer, bytes: Int) -> Bool {
        guard bytes >= minimumBytes else { return false }
        return state.withLock { state in
            state.live -= bytes
            let limit = min(capacity, state.peakLive)
            guard bytes <= limit else { return false }
            while state.bytes + bytes > limit, !state.blocks.isEmpty {
                let evicted = state.blocks.removeFirst()
                state.bytes -= evicted.bytes
                free(UnsafeMutableRawPointer(bitPattern: evicted.address))
            }
            state.blocks.append((UInt(bitPattern: block), bytes))
            state.bytes += bytes
            return true
        }
    }
}
