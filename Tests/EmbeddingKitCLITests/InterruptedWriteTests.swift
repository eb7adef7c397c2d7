import Foundation
import Testing

/// A writer killed or interrupted mid-way leaves the previous file as it was; SIGTERM removes its
/// temporary, and the temporary of a SIGKILLed writer is swept by the next writer in the folder.
@Suite("interrupted writes leave the previous file and no temporaries", .serialized)
struct InterruptedWriteTests {
    /// A folder with `big.vec` (60,000 × 100, a few seconds to convert to text) and `out.txt`
    /// holding the previous output.
    func prepare() throws -> URL {
        let folder = try EmbeddingKitProcess.scratchFolder("interrupt")
        var text = Data("60000 100\n".utf8)
        let values = Data((0..<100).map { " 0.\(($0 * 7919) % 1000 + 1000)" }.joined().utf8)
        for row in 0..<60_000 {
            text.append(Data("w\(row)".utf8))
            text.append(values)
            text.append(0x0A)
        }
        try text.write(to: folder.appendingPathComponent("big.vec"))
        try Data("previous".utf8).write(to: folder.appendingPathComponent("out.txt"))
        return folder
    }

    func temporaries(in folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains(".embkit-tmp-") }
    }

    /// Starts converting big.vec to out.txt and sends `signal` once the temporary exists.
    func interrupt(in folder: URL, with signal: Int32) throws -> Process {
        let process = Process()
        process.executableURL = EmbeddingKitProcess.executable
        process.arguments = ["convert", folder.appendingPathComponent("big.vec").path, folder.appendingPathComponent("out.txt").path]
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while try temporaries(in: folder).isEmpty && process.isRunning && Date() < deadline { usleep(500) }
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        return process
    }

    @Test("SIGKILL mid-write: the previous file stays, the next writer sweeps the temporary")
    func killed() throws {
        let folder = try prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = try interrupt(in: folder, with: SIGKILL)
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL)
        #expect(try String(contentsOf: folder.appendingPathComponent("out.txt"), encoding: .utf8) == "previous")
        #expect(try temporaries(in: folder).count == 1, "the killed writer's temporary is left behind")
        let small = folder.appendingPathComponent("small.vec")
        try Data("1 2\nw 1 2\n".utf8).write(to: small)
        let next = try EmbeddingKitProcess.run(["convert", small.path, folder.appendingPathComponent("small.txt").path])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(try temporaries(in: folder).isEmpty, "swept by the next writer")
    }

    @Test("SIGTERM mid-write: the previous file stays and the temporary is removed")
    func terminated() throws {
        let folder = try prepare()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = try interrupt(in: folder, with: SIGTERM)
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGTERM)
        #expect(try String(contentsOf: folder.appendingPathComponent("out.txt"), encoding: .utf8) == "previous")
        #expect(try temporaries(in: folder).isEmpty)
    }
}
