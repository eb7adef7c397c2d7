#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; unmapped when the last reference goes away.
///
/// `@unchecked Sendable` is safe because the mapping is read-only and immutable for its lifetime.
public final class MappedFile: @unchecked Sendable {
    /// The path the file was opened with.
    public let path: String
    /// The first byte of the mapping.
    public let bytes: UnsafeRawBufferPointer

    /// Maps the file at `path`.
    /// - Throws: `EmbeddingFileError` (`.cannotOpen`, `.empty`) naming the path.
    /// - Complexity: O(1); pages are read when first touched.
    public init(path: String) throws {
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen,
                                     message: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen, message: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            throw EmbeddingFileError(path: path, location: .file, kind: .empty, message: "the file is empty")
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw EmbeddingFileError(path: path, location: .file, kind: .cannotOpen,
                                     message: "cannot map: \(String(cString: strerror(errno)))")
        }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    /// The file size in bytes.
    public var count: Int { bytes.count }

    /// Tells the kernel that `range` will be read front to back soon: read ahead, and map the
    /// neighbours of each page touched.
    public func adviseSequential(_ range: Range<Int>) {
        advise(range, MADV_SEQUENTIAL)
    }

    /// Tells the kernel that `range` is read at scattered places: each touch maps only its own
    /// page, without read-ahead or the 64 KiB of neighbours Linux otherwise maps, so resident
    /// memory stays at the pages actually read.
    public func adviseRandom(_ range: Range<Int>) {
        advise(range, MADV_RANDOM)
    }

    /// Drops the pages of `range` from this process's resident set; they stay in the page cache
    /// and are read back on the next touch. Keeps peak memory low after a scan over the file.
    public func release(_ range: Range<Int>) {
        advise(range, MADV_DONTNEED)
    }

    private func advise(_ range: Range<Int>, _ advice: Int32) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound / page * page
        guard range.upperBound > start, let base = bytes.baseAddress else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + start), range.upperBound - start, advice)
    }

    deinit {
        munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count)
    }
}
