import Foundation

/// Wall time and peak RSS of a child process, measured by `/usr/bin/time -v`.
struct ProcessMeasurement {
    let seconds: Double
    let peakRSSBytes: Int
    let output: String
    /// The child's standard error, followed by the `time -v` report.
    let errorOutput: String

    /// Runs `arguments` under `/usr/bin/time -v`.
    /// - Throws: when the command cannot start or exits non-zero.
    static func run(_ arguments: [String]) throws -> ProcessMeasurement {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        process.arguments = ["-v"] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let report = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("`\(arguments.joined(separator: " "))` failed:\n\(report.suffix(2000))")
        }
        return ProcessMeasurement(seconds: parseElapsed(report), peakRSSBytes: parseRSS(report) * 1024,
                                  output: String(decoding: output, as: UTF8.self), errorOutput: report)
    }

    private static func parseElapsed(_ report: String) -> Double {
        // "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23"
        let line = report.split(separator: "\n").first { $0.contains("Elapsed (wall clock)") } ?? ""
        let clock = line.split(separator: " ").last ?? ""
        return clock.split(separator: ":").compactMap { Double($0) }.reduce(0) { $0 * 60 + $1 }
    }

    private static func parseRSS(_ report: String) -> Int {
        let line = report.split(separator: "\n").first { $0.contains("Maximum resident set size") } ?? ""
        return Int(line.split(separator: " ").last ?? "") ?? 0
    }
}

/// A benchmark that cannot go on, with the reason.
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
