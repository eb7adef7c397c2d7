#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers never see a partial one and nothing is left behind.
///
/// - A regular file (or a new path) is written to a hidden temporary in the same folder,
///   flushed to disk (`fsync`) and renamed into place on `commit()`; without `commit()` the
///   temporary is removed. A symbolic link is followed: its target is replaced, the link stays.
/// - Standard output (`-`), devices, FIFOs and sockets are written through, as a shell
///   redirection would (there is nothing to rename).
/// - SIGINT and SIGTERM remove the temporaries of the running writers before the process ends
///   (when the program has not installed its own handlers); temporaries of killed processes
///   (SIGKILL, power loss) are removed by the next writer in the same folder.
///
/// - Throws: `EmbeddingFileError.cannotWrite` naming the path, from every method.
public final class AtomicFileWriter {
    /// The file that `commit()` replaces (as given).
    public let path: String
    /// The temporary being written, or nil when writing through.
    private let temporaryPath: String?
    private var file: UnsafeMutablePointer<FILE>?
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    /// Opens `path` for writing: a temporary beside it (or beside a symbolic link's target), or
    /// the path itself when it is `-`, a device, a FIFO or a socket.
    public init(path: String) throws {
        self.path = path
        if path == "-" {
            guard let file = fdopen(dup(STDOUT_FILENO), "wb") else { throw Self.error(path, "cannot write to standard output: \(Self.reason())") }
            setvbuf(file, nil, _IOFBF, 1 << 20)
            self.file = file
            temporaryPath = nil
            return
        }
        let target = Self.resolvingSymbolicLinks(path)
        var status = stat()
        if stat(target, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            guard (status.st_mode & S_IFMT) != S_IFDIR else { throw Self.error(path, "is a folder") }
            guard let file = fopen(target, "wb") else { throw Self.error(path, "cannot open: \(Self.reason())") }
            self.file = file
            temporaryPath = nil
            return
        }
        let folder = Self.folder(of: target)
        TemporaryFiles.sweep(folder: folder)
        let temporary = TemporaryFiles.name(for: target)
        TemporaryFiles.register(temporary)
        guard let file = fopen(temporary, "wbx") else {
            let reason = Self.reason()
            TemporaryFiles.unregister(temporary)
            throw Self.error(path, "cannot create a temporary file in \(folder): \(reason)")
        }
        setvbuf(file, nil, _IOFBF, 1 << 20)
        self.file = file
        temporaryPath = temporary
    }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let file, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard fwrite(base, 1, bytes.count, file) == bytes.count else {
            throw Self.error(path, "write failed: \(Self.reason())")
        }
        bytesWritten += bytes.count
    }

    /// Appends the UTF-8 bytes of `text`.
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Appends a little-endian integer or float's bytes.
    func writeValue<T>(_ value: T) throws {
        try withUnsafeBytes(of: value) { try write($0) }
    }

    /// Appends zero bytes up to the next multiple of `alignment`.
    public func pad(toMultipleOf alignment: Int) throws {
        let padding = (alignment - bytesWritten % alignment) % alignment
        try [UInt8](repeating: 0, count: padding).withUnsafeBytes { try write($0) }
    }

    /// Flushes and closes the file; a temporary is synced to disk and renamed onto the target.
    public func commit() throws {
        guard let file else { return }
        self.file = nil
        let synced = fflush(file) == 0 && (temporaryPath == nil || fsync(fileno(file)) == 0)
        let reason = Self.reason()
        guard fclose(file) == 0, synced else {
            discardTemporary()
            throw Self.error(path, "write failed: \(synced ? Self.reason() : reason)")
        }
        guard let temporaryPath else { return }
        let target = Self.resolvingSymbolicLinks(path)
        guard rename(temporaryPath, target) == 0 else {
            let reason = Self.reason()
            discardTemporary()
            throw Self.error(path, "cannot rename into place: \(reason)")
        }
        TemporaryFiles.unregister(temporaryPath)
    }

    deinit {
        guard let file else { return }
        fclose(file)
        discardTemporary()
    }

    private func discardTemporary() {
        guard let temporaryPath else { return }
        unlink(temporaryPath)
        TemporaryFiles.unregister(temporaryPath)
    }

    /// `path` with every symbolic link along it followed (to a target that need not exist yet).
    static func resolvingSymbolicLinks(_ path: String) -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let length = readlink(current, &buffer, buffer.count - 1)
            guard length > 0 else { return current }
            let destination = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = destination.hasPrefix("/") ? destination : folder(of: current) + "/" + destination
        }
        return current
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func reason() -> String { String(cString: strerror(errno)) }

    private static func error(_ path: String, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: .file, kind: .cannotWrite, message: message)
    }
}
