import EmbeddingStore
import Foundation
import LinearAlgebra

/// Deterministic synthetic vector files of real formats for the load benchmarks.
///
/// Values are GloVe-like decimals with five digits (`-0.12345`); the binary file holds exactly
/// the float32 values the text spells, so every format describes the same vectors.
enum SyntheticVectors {
    /// The word of row `index`.
    static func word(_ index: Int) -> String { "w\(index)" }

    /// Writes `rows × dimensions` GloVe text (no header) or word2vec text (with header) to `path`,
    /// unless it exists.
    static func writeText(rows: Int, dimensions: Int, header: Bool, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        guard let file = fopen(path + ".partial", "wb") else { throw BenchmarkError("cannot write \(path)") }
        var generator = SplitMix64(seed: 2024)
        var line = [UInt8]()
        line.reserveCapacity(dimensions * 9 + 32)
        if header { fputs("\(rows) \(dimensions)\n", file) }
        for row in 0..<rows {
            line.removeAll(keepingCapacity: true)
            line.append(contentsOf: word(row).utf8)
            for _ in 0..<dimensions {
                line.append(0x20)
                appendDecimal(value(&generator), to: &line)
            }
            line.append(0x0A)
            _ = line.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
        }
        fclose(file)
        try FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
    }

    /// Writes the same vectors as word2vec binary.
    static func writeBinary(rows: Int, dimensions: Int, to path: String) throws {
        guard !FileManager.default.fileExists(atPath: path) else { return }
        guard let file = fopen(path + ".partial", "wb") else { throw BenchmarkError("cannot write \(path)") }
        var generator = SplitMix64(seed: 2024)
        fputs("\(rows) \(dimensions)\n", file)
        var values = [Float](repeating: 0, count: dimensions)
        for row in 0..<rows {
            fputs(word(row) + " ", file)
            for index in 0..<dimensions { values[index] = Float(value(&generator)) / 100_000 }
            _ = values.withUnsafeBytes { fwrite($0.baseAddress, 1, $0.count, file) }
            fputc(0x0A, file)
        }
        fclose(file)
        try FileManager.default.moveItem(atPath: path + ".partial", toPath: path)
    }

    /// Gzips `path` to `path.gz` with `gzip -1`, unless it exists.
    static func gzip(_ path: String) throws {
        guard !FileManager.default.fileExists(atPath: path + ".gz") else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "gzip -1 -c '\(path)' > '\(path).gz.partial' && mv '\(path).gz.partial' '\(path).gz'"]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchmarkError("gzip failed on \(path)") }
    }

    /// Value in hundred-thousandths: -99999 ... 99999.
    private static func value(_ generator: inout SplitMix64) -> Int {
        Int(generator.next() % 199_999) - 99_999
    }

    /// Appends `hundredThousandths / 100000` as `-0.12345` (always five decimals).
    private static func appendDecimal(_ hundredThousandths: Int, to line: inout [UInt8]) {
        if hundredThousandths < 0 { line.append(UInt8(ascii: "-")) }
        var magnitude = abs(hundredThousandths)
        line.append(UInt8(ascii: "0"))
        line.append(UInt8(ascii: "."))
        var digits = [UInt8](repeating: 0, count: 5)
        for position in (0..<5).reversed() {
            digits[position] = UInt8(48 + magnitude % 10)
            magnitude /= 10
        }
        line.append(contentsOf: digits)
    }
}
