#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// The temporaries `AtomicFileWriter` writes: named `.NAME.embkit-tmp-PID-RANDOM` beside their
/// target, removed when SIGINT or SIGTERM ends the process, and swept by the next writer in the
/// folder when their process no longer exists (it was killed outright).
enum TemporaryFiles {
    private static let marker = ".embkit-tmp-"
    /// Slots for the paths of the temporaries being written, as C strings a signal handler can
    /// read without allocating.
    private static let slotCount = 64
    private nonisolated(unsafe) static let slots: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let slots = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: slotCount)
        slots.initialize(repeating: nil, count: slotCount)
        return slots
    }()
    private static let lock = Mutex(())
    private static let handlersInstalled: Bool = {
        for signal in [SIGINT, SIGTERM] { installHandler(signal) }
        return true
    }()

    /// A fresh temporary path beside `target`.
    static func name(for target: String) -> String {
        let folder = AtomicFileWriter.folder(of: target)
        let base = target.split(separator: "/").last.map(String.init) ?? target
        return "\(folder)/.\(base)\(marker)\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    /// Records `path` for removal on SIGINT/SIGTERM.
    static func register(_ path: String) {
        _ = handlersInstalled
        lock.withLock { _ in
            guard let slot = (0..<slotCount).first(where: { slots[$0] == nil }) else { return }
            slots[slot] = strdup(path)
        }
    }

    /// Forgets `path` (renamed into place or removed).
    static func unregister(_ path: String) {
        lock.withLock { _ in
            for slot in 0..<slotCount {
                guard let stored = slots[slot], String(cString: stored) == path else { continue }
                slots[slot] = nil
                free(stored)
            }
        }
    }

    /// Removes the temporaries in `folder` left by processes that no longer run.
    static func sweep(folder: String) {
        guard let directory = opendir(folder) else { return }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            guard let range = name.range(of: marker),
                  let pid = Int32(name[range.upperBound...].prefix { $0 != "-" }), pid != getpid() else { continue }
            if kill(pid, 0) == -1 && errno == ESRCH { unlink("\(folder)/\(name)") }
        }
    }

    #if canImport(Glibc)
    /// Installs the removing handler for `signal` unless the program handles it already.
    private static func installHandler(_ signal: Int32) {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0, current.__sigaction_handler.sa_handler == nil else { return }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { received in
            // Only async-signal-safe calls: unlink, then the default action (the process ends).
            for slot in 0..<TemporaryFiles.slotCount {
                if let path = TemporaryFiles.slots[slot] { unlink(path) }
            }
            Glibc.signal(received, SIG_DFL)
            raise(received)
        }
        sigemptyset(&action.sa_mask)
        sigaction(signal, &action, nil)
    }
    #else
    /// Signal handling is wired for Linux only; elsewhere temporaries are swept by the next writer.
    private static func installHandler(_ signal: Int32) {}
    #endif
}
