import CZlib
import Foundation
import LinearAlgebra
#if canImport(Glibc)
import Glibc
#endif

/// What a file holds, as `crc32:HEX:SIZE` — the CRC-32 of every byte, so any change to the
/// content changes it (a copy keeps it). Hashing runs at several GB/s on all cores and is
/// remembered per file identity (device, inode, size, modification and status-change times, in
/// nanoseconds) in `$XDG_CACHE_HOME/embkit/fingerprints` (`~/.cache/…`), so an unchanged file is
/// hashed once. Editing a file in place changes its status-change time even when its size and
/// modification time are restored, so a stale entry is never used.
public enum ContentFingerprint {
    /// The fingerprint of the file at `path`, or nil when it cannot be read.
    public static func of(fileAt path: String) -> String? {
        guard let identity = FileIdentity(path) else { return nil }
        if let known = Memo.lookup(identity) { return known }
        guard let file = try? MappedFile(path: path) else { return nil }
        let fingerprint = "crc32:" + hex(parallelCRC32(file.bytes)) + ":\(file.count)"
        Memo.record(identity, fingerprint)
        return fingerprint
    }

    /// Whether `recorded` (from a model file) names the file at `path` as it is now. Models
    /// written before whole-file fingerprints recorded the size and a hash of the first and last
    /// MiB; those are compared the same way.
    public static func matches(_ recorded: String, fileAt path: String) -> Bool {
        recorded.hasPrefix("crc32:") ? of(fileAt: path) == recorded : sampledFingerprint(ofFileAt: path) == recorded
    }

    /// CRC-32 of `bytes`, chunks on all cores combined with zlib's `crc32_combine`.
    static func parallelCRC32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return 0 }
        let chunkBytes = 32 << 20, chunks = max(1, (bytes.count + chunkBytes - 1) / chunkBytes)
        let results = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: chunks)
        defer { results.deallocate() }
        let target = SharedPointer(base: results.baseAddress!), source = SharedReadOnlyPointer(base: base)
        let count = bytes.count
        Parallelism.available.forEachChunk(of: chunks) { range in
            for chunk in range {
                let start = chunk * chunkBytes, end = min(count, start + chunkBytes)
                target.base[chunk] = Checksum.crc32(UnsafeRawBufferPointer(start: source.base + start, count: end - start))
            }
        }
        var crc = uLong(results[0])
        for chunk in 1..<chunks {
            let length = min(count, (chunk + 1) * chunkBytes) - chunk * chunkBytes
            crc = crc32_combine(crc, uLong(results[chunk]), off_t(length))
        }
        return UInt32(crc)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// The fingerprint model files recorded before: size and an FNV-1a hash of the first and last MiB.
    private static func sampledFingerprint(ofFileAt path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd() else { return nil }
        let window: UInt64 = 1 << 20
        try? handle.seek(toOffset: 0)
        var sample = (try? handle.read(upToCount: Int(Swift.min(size, window)))) ?? Data()
        if size > window {
            try? handle.seek(toOffset: Swift.max(window, size - window))
            sample.append((try? handle.read(upToCount: Int(window))) ?? Data())
        }
        return "\(size)-" + String(sample.withUnsafeBytes { WordHash.hash($0) }, radix: 16)
    }

    /// A file's identity: any write to it changes one of these.
    struct FileIdentity: Hashable {
        let device: UInt64, inode: UInt64, size: Int64, modified: Int64, changed: Int64

        init?(_ path: String) {
            var status = stat()
            guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else { return nil }
            device = UInt64(status.st_dev)
            inode = UInt64(status.st_ino)
            size = Int64(status.st_size)
            modified = Int64(status.st_mtim.tv_sec) * 1_000_000_000 + Int64(status.st_mtim.tv_nsec)
            changed = Int64(status.st_ctim.tv_sec) * 1_000_000_000 + Int64(status.st_ctim.tv_nsec)
        }

        var key: String { "\(device) \(inode) \(size) \(modified) \(changed)" }
    }

    /// The remembered fingerprints: one `identity fingerprint` line each, appended.
    enum Memo {
        static var file: String? {
            let environment = ProcessInfo.processInfo.environment
            guard let base = environment["XDG_CACHE_HOME"] ?? environment["HOME"].map({ $0 + "/.cache" }), !base.isEmpty else { return nil }
            return base + "/embkit/fingerprints"
        }

        static func lookup(_ identity: FileIdentity) -> String? {
            guard let file, let data = FileManager.default.contents(atPath: file), data.count < 8 << 20 else { return nil }
            let key = identity.key + " "
            return String(decoding: data, as: UTF8.self).split(separator: "\n").last { $0.hasPrefix(key) }.map { String($0.dropFirst(key.count)) }
        }

        static func record(_ identity: FileIdentity, _ fingerprint: String) {
            guard let file else { return }
            let folder = (file as NSString).deletingLastPathComponent
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            if let size = (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int, size >= 8 << 20 { unlink(file) }
            let descriptor = open(file, O_WRONLY | O_APPEND | O_CREAT, 0o644)
            guard descriptor >= 0 else { return }
            defer { close(descriptor) }
            let line = Array("\(identity.key) \(fingerprint)\n".utf8)
            _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        }
    }
}
