import CZlib
import Dispatch
import Synchronization

/// Inflates a gzip file on a background thread into blocks that end at a line boundary, so a
/// parser on the calling thread works on one block while the next is inflated.
///
/// At most `depth` blocks wait at once, so memory stays bounded whatever the file size.
/// `@unchecked Sendable`: the queue is guarded by a mutex and semaphores; the inflater's state is
/// touched only by the background thread.
final class GzipLineBlocks: @unchecked Sendable {
    private let file: MappedFile
    private let blockSize: Int
    private let queue = Mutex<[Result<OwnedBytes?, EmbeddingFileError>]>([])
    private let filled: DispatchSemaphore
    private let free: DispatchSemaphore
    private let cancelled = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let progress: ProgressCounter

    /// Starts inflating `file` in blocks of about `blockSize` bytes, at most `depth` ahead,
    /// reporting the share of compressed bytes read to `progress`.
    init(file: MappedFile, blockSize: Int = 2 << 20, depth: Int = 2, progress: LoadOptions.Progress? = nil) {
        self.file = file
        self.progress = ProgressCounter(total: file.count, callback: progress)
        self.blockSize = blockSize
        filled = DispatchSemaphore(value: 0)
        free = DispatchSemaphore(value: depth)
        DispatchQueue.global().async { [self] in
            produce()
            finished.signal()
        }
    }

    /// The next block of whole lines, or nil at the end of the stream.
    /// - Throws: `.badCompression` for a corrupt or truncated stream.
    func next() throws -> OwnedBytes? {
        filled.wait()
        let result = queue.withLock { $0.removeFirst() }
        free.signal()
        return try result.get()
    }

    /// Stops the background thread early (for example after a parse error) and waits for it.
    func cancel() {
        cancelled.store(true, ordering: .relaxed)
        free.signal()
        finished.wait()
    }

    private func deliver(_ result: Result<OwnedBytes?, EmbeddingFileError>) -> Bool {
        free.wait()
        guard !cancelled.load(ordering: .relaxed) else { return false }
        queue.withLock { $0.append(result) }
        filled.signal()
        return true
    }

    private func produce() {
        let inflater = GzipStream(input: file.bytes, path: file.path, releasing: file)
        var carry: [UInt8] = []
        while !cancelled.load(ordering: .relaxed) {
            let block = OwnedBytes(capacity: blockSize + carry.count + (1 << 16))
            carry.withUnsafeBytes { block.append($0) }
            carry.removeAll(keepingCapacity: true)
            let atEnd: Bool
            do {
                atEnd = try inflater.inflate(into: block, upTo: blockSize)
                progress.set(inflater.consumedBytes)
            } catch {
                _ = deliver(.failure(error as! EmbeddingFileError))
                return
            }
            if !atEnd, let lastNewline = block.bytes.lastIndex(of: 0x0A) {
                carry.append(contentsOf: block.bytes[(lastNewline + 1)...])
                block.truncate(to: lastNewline + 1)
            }
            if block.count > 0 { guard deliver(.success(block)) else { return } }
            if atEnd {
                _ = deliver(.success(nil))
                return
            }
        }
    }
}
