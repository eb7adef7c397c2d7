import Foundation
import Testing

/// Runs the built `embkit` executable and captures what it prints.
struct EmbeddingKitProcess {
    /// `embkit` in the same build folder as this test bundle.
    static var executable: URL {
        var folder = Bundle.main.bundleURL
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("embkit").path),
              folder.pathComponents.count > 1 {
            folder.deleteLastPathComponent()
        }
        return folder.appendingPathComponent("embkit")
    }

    /// A new empty folder under the temporary directory, named `embkit-STEM-UUID`.
    static func scratchFolder(_ stem: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("embkit-\(stem)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The exit status, stdout and stderr of `embkit arguments…` with `input` on stdin.
    static func run(_ arguments: [String], input: String = "") throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }
}

@Suite("embkit command line")
struct CommandLineTests {
    @Test("--version prints the version and exits 0")
    func version() throws {
        let result = try EmbeddingKitProcess.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test("--help describes the tool")
    func help() throws {
        let result = try EmbeddingKitProcess.run(["--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("USAGE: embkit"))
    }

    @Test("an unknown option fails with a message on stderr")
    func unknownOption() throws {
        let result = try EmbeddingKitProcess.run(["--no-such-option"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("no-such-option"))
    }

    @Test("an unknown command suggests the one meant, exit 64; completion scripts are generated")
    func unknownCommandAndCompletions() throws {
        let misspelt = try EmbeddingKitProcess.run(["neighbours", "--embeddings", "x"])
        #expect(misspelt.status == 64 && misspelt.stderr.contains("did you mean 'neighbors'?"), "\(misspelt.stderr)")
        #expect(try EmbeddingKitProcess.run(["inf", "x"]).stderr.contains("did you mean 'info'?"))
        let unknown = try EmbeddingKitProcess.run(["frobnicate"])
        #expect(unknown.status == 64 && unknown.stderr.contains("the commands are info, convert"))
        for shell in ["bash", "zsh", "fish"] {
            let script = try EmbeddingKitProcess.run(["--generate-completion-script", shell])
            #expect(script.status == 0 && script.stdout.contains("neighbors"), "\(shell)")
        }
    }
}
