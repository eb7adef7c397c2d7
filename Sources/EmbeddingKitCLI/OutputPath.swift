import ArgumentParser
import Foundation

/// Refuses an output path that is one of the command's inputs (the same file by any name: a
/// symbolic or hard link, `./x` for `x`), which writing the output would destroy.
/// - Parameter inputs: each input option's name (`--train`) and value, when given.
func validateOutput(_ output: String, option: String = "--output", isNotAnyOf inputs: [(option: String, path: String?)]) throws {
    guard let target = FileIdentity(output) else { return }  // a new file cannot be an input
    for (name, path) in inputs {
        guard let path, FileIdentity(path) == target else { continue }
        throw ValidationError("\(option) \(output) is the \(name) file; writing it would destroy that input")
    }
}

/// A file's device and inode: equal for every name of one file.
private struct FileIdentity: Equatable {
    let device: UInt64, inode: UInt64

    /// The identity of the file at `path`, or nil when nothing is there.
    init?(_ path: String) {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }
}
