#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file through a temporary beside it and renames it into place on `commit()`, so readers
/// never see a partial file; without `commit()` the temporary is removed.
///
/// - Throws: `EmbeddingFileError.cannotWrite` naming the path, from every method.
public final class AtomicFileWriter {
    /// The file that `commit()` replaces.
    public let path: String
    private let temporaryPath: String
    private var file: UnsafeMutablePointer<FILE>?
    /// Bytes written so far.
    public private(set) var bytesWritten = 0

    /// Creates the temporary file next to `path`.
    public init(path: String) throws {
        self.path = path
        temporaryPath = path + ".tmp-\(getpid())"
        guard let file = fopen(temporaryPath, "wb") else {
            throw Self.error(path, "cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        setvbuf(file, nil, _IOFBF, 1 << 20)
        self.file = file
    }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard let file, let base = bytes.baseAddress, !bytes.isEmpty else { return }
        guard fwrite(base, 1, bytes.count, file) == bytes.count else {
            throw Self.error(path, "write failed: \(String(cString: strerror(errno)))")
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

    /// Flushes, closes and renames the temporary onto `path`.
    public func commit() throws {
        guard let file else { return }
        self.file = nil
        guard fflush(file) == 0, fclose(file) == 0 else {
            unlink(temporaryPath)
            throw Self.error(path, "write failed: \(String(cString: strerror(errno)))")
        }
        guard rename(temporaryPath, path) == 0 else {
            unlink(temporaryPath)
            throw Self.error(path, "cannot rename into place: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if let file {
            fclose(file)
            unlink(temporaryPath)
        }
    }

    private static func error(_ path: String, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: .file, kind: .cannotWrite, message: message)
    }
}
