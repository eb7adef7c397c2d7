import Foundation
import Synchronization

/// Shows `label 42%` on one stderr line while long work runs, only when stderr is a terminal.
final class ProgressLine: Sendable {
    private let label: String
    private let enabled = isatty(STDERR_FILENO) == 1
    private let drawing = Mutex(())

    init(_ label: String) {
        self.label = label
    }

    /// Redraws the line with `fraction` (0…1) done; safe to call from any thread.
    @Sendable func update(_ fraction: Double) {
        guard enabled else { return }
        drawing.withLock { _ in
            FileHandle.standardError.write(Data("\r\(label) \(Int(fraction * 100))%".utf8))
        }
    }

    /// Redraws the line with `label message`.
    func show(_ message: String) {
        guard enabled else { return }
        drawing.withLock { _ in
            FileHandle.standardError.write(Data("\r\u{1B}[K\(label) \(message)".utf8))
        }
    }

    /// Erases the line.
    func finish() {
        guard enabled else { return }
        drawing.withLock { _ in FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
