import Foundation

/// Timing helpers shared by the benchmarks.
enum Measurement {
    /// The median wall time in seconds of `repetitions` runs of `body`, after one warm-up run.
    static func medianSeconds(repetitions: Int, _ body: () -> Void) -> Double {
        body()
        var times: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        return times.sorted()[times.count / 2]
    }

    /// A line describing the machine and the build, printed at the top of every benchmark.
    static func machineDescription() -> String {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
        #if DEBUG
        let build = "debug build"
        #else
        let build = "release build"
        #endif
        return "machine: \(model), \(ProcessInfo.processInfo.activeProcessorCount) cores; \(build), "
            + "no -march flags (kernels dispatch at run time)"
    }
}

/// Prints one formatted line to stdout.
func report(_ line: String) {
    print(line)
    fflush(nil)
}

/// A number with `digits` decimals.
func format(_ value: Double, _ digits: Int = 1) -> String {
    String(format: "%.\(digits)f", value)
}
