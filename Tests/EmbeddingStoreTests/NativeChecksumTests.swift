import EmbeddingStore
import Foundation
import Testing

/// Native files carry a CRC-32 per section: a changed byte anywhere is an error naming the
/// section, and hostile headers (with valid checksums recomputed by the attacker) are refused
/// before any allocation or pointer use.
@Suite struct NativeChecksumTests {
    /// A native file of the toy vectors and its header fields (offsets by name).
    func nativeFile() throws -> (bytes: [UInt8], fields: [String: Int]) {
        let path = try TestFiles.scratchFolder().appendingPathComponent("toy.ekv").path
        try VectorFileWriter.write(try WordEmbeddings(contentsOf: TestFiles.fixture("toy-model.vec")), to: path, as: .native)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let names = ["count", "dimensions", "blob", "blobLength", "offsets", "table", "slots", "matrix", "norms", "metadata",
                     "metadataLength", "duplicates", "checksums"]
        var fields: [String: Int] = [:]
        for (index, name) in names.enumerated() {
            fields[name] = Int(bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 16 + 8 * index, as: UInt64.self).littleEndian })
        }
        return (bytes, fields)
    }

    func error(_ bytes: [UInt8], _ name: String, options: LoadOptions = LoadOptions()) -> EmbeddingFileError? {
        do {
            _ = try WordEmbeddings(contentsOf: try TestFiles.write(bytes, named: name), options: options)
            return nil
        } catch let error as EmbeddingFileError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    /// `bytes` with header field `offset` set to `value` and the header checksum recomputed.
    func withField(_ bytes: [UInt8], at offset: Int, _ value: UInt64) -> [UInt8] {
        var bytes = bytes
        withUnsafeBytes(of: value.littleEndian) { bytes.replaceSubrange(offset..<(offset + 8), with: $0) }
        let crc = bytes.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[0..<188])) }
        withUnsafeBytes(of: crc.littleEndian) { bytes.replaceSubrange(188..<192, with: $0) }
        return bytes
    }

    @Test func aChangedByteInAnySectionNamesTheSection() throws {
        let (bytes, fields) = try nativeFile()
        let cases: [(Int, String)] = [(20, "header"), (fields["blob"]! + 2, "word blob"), (fields["offsets"]! + 9, "word offsets"),
                                      (fields["table"]! + 1, "hash table"), (fields["matrix"]! + 5, "matrix"),
                                      (fields["norms"]! + 3, "norms"), (fields["metadata"]! + 1, "metadata"),
                                      (fields["checksums"]! + 20, "checksum section")]
        for (offset, section) in cases {
            var damaged = bytes
            damaged[offset] ^= 0x04
            let found = error(damaged, "damaged.ekv")
            #expect(found?.message.contains(section) == true, "byte \(offset): \(String(describing: found))")
        }
        // Nothing else changed: the original opens.
        #expect(error(bytes, "intact.ekv") == nil)
    }

    @Test func structureOnlyOpeningLeavesTheMatrixToVerify() throws {
        var (bytes, fields) = try nativeFile()
        bytes[fields["matrix"]! + 8] ^= 0x40
        #expect(error(bytes, "lazy.ekv", options: LoadOptions(verification: .structure)) == nil)
        #expect(error(bytes, "full.ekv", options: LoadOptions(verification: .full))?.message.contains("matrix") == true)
        let path = try TestFiles.write(bytes, named: "verify.ekv")
        #expect(throws: EmbeddingFileError.self) { try WordEmbeddings.verify(fileAt: path) }
        let intact = try TestFiles.write(try nativeFile().bytes, named: "verified.ekv")
        let report = try WordEmbeddings.verify(fileAt: intact)
        #expect(report.checkedSections.contains("matrix") && report.format == .native)
    }

    @Test func hostileHeadersAreRefusedBeforeUse() throws {
        let (bytes, fields) = try nativeFile()
        let hostile: [(Int, UInt64)] = [
            (16, 1 << 40), (24, 1 << 31), (16, UInt64.max), (24, 0), (64, 1 << 62), (64, 3),
            (72, UInt64.max - 10), (72, UInt64(bytes.count)), (32, 1 << 63), (40, UInt64(bytes.count)), (88, 0),
            (112, UInt64(bytes.count + 8)), (112, 7),
        ]
        for (offset, value) in hostile {
            #expect(error(withField(bytes, at: offset, value), "hostile.ekv") != nil, "field \(offset) = \(value)")
        }
        // Word offsets out of order, with every checksum made to match, are still refused.
        var shuffled = bytes
        let offsets = fields["offsets"]!, count = fields["count"]!, checksums = fields["checksums"]!
        shuffled.replaceSubrange((offsets + 8)..<(offsets + 16), with: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0])
        let sectionCRC = shuffled.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[offsets..<(offsets + 8 * (count + 1))])) }
        withUnsafeBytes(of: sectionCRC.littleEndian) { shuffled.replaceSubrange((checksums + 20)..<(checksums + 24), with: $0) }
        let ownCRC = shuffled.withUnsafeBytes { Checksum.crc32(UnsafeRawBufferPointer(rebasing: $0[checksums..<(shuffled.count - 4)])) }
        withUnsafeBytes(of: ownCRC.littleEndian) { shuffled.replaceSubrange((shuffled.count - 4)..<shuffled.count, with: $0) }
        let found = error(shuffled, "offsets.ekv")
        #expect(found?.message.contains("word offset 1") == true, "\(String(describing: found))")
    }
}
