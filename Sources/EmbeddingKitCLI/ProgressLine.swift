import ArgumentParser
import Foundation
import Synchronization

/// Progress of long work on stderr: on a terminal one line redrawn in place (`label 42% (3.1 s,
/// about 4.2 s left)`); otherwise a plain line at most every 10 seconds, so logs show that work
/// goes on without filling up; nothing under `--quiet`.
final class ProgressLine: Sendable {
    /// Set by `--quiet`: no progress at all.
    static let silenced = Atomic<Bool>(false)
    /// Seconds between plain lines when stderr is not a terminal.
    static let plainInterval: TimeInterval = 10

    private let label: String
    private let terminal = isatty(STDERR_FILENO) == 1
    private let start = Date()
    /// When the last plain line was written (the start before the first).
    private let lastPlainLine: Mutex<Date>

    init(_ label: String) {
        self.label = label
        lastPlainLine = Mutex(start)
    }

    /// Shows `fraction` (0…1) done with the time taken and, once it can be told, the time left;
    /// safe to call from any thread.
    @Sendable func update(_ fraction: Double) {
        show("\(Int(fraction * 100))%", fraction: fraction)
    }

    /// Shows `label message`, with the time taken and left when `fraction` done is given.
    func show(_ message: String, fraction: Double? = nil) {
        guard !Self.silenced.load(ordering: .relaxed) else { return }
        let elapsed = Date().timeIntervalSince(start)
        var text = "\(label) \(message)"
        if let fraction, fraction > 0.01, fraction < 1, elapsed >= 1 {
            text += " (\(Self.seconds(elapsed)), about \(Self.seconds(elapsed * (1 - fraction) / fraction)) left)"
        }
        lastPlainLine.withLock { last in
            if terminal {
                FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
            } else if Date().timeIntervalSince(last) >= Self.plainInterval {
                FileHandle.standardError.write(Data("\(text)\n".utf8))
                last = Date()
            }
        }
    }

    /// Erases the line (on a terminal).
    func finish() {
        guard terminal, !Self.silenced.load(ordering: .relaxed) else { return }
        lastPlainLine.withLock { _ in FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// `4.2 s`, `3 min 5 s`.
    static func seconds(_ value: TimeInterval) -> String {
        value < 60 ? String(format: "%.1f s", value) : "\(Int(value) / 60) min \(Int(value) % 60) s"
    }
}

/// `--quiet`, shared by the commands that show progress.
struct ProgressOptions: ParsableArguments {
    @Flag(name: [.short, .long], help: "No progress or summary lines on stderr (errors still go there).")
    var quiet = false

    func validate() throws {
        if quiet { ProgressLine.silenced.store(true, ordering: .relaxed) }
    }
}
