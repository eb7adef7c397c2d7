import EmbeddingStore
import Foundation
import Testing

@Suite struct ContentFingerprintTests {
    @Test func aChangeAnywhereChangesTheFingerprint() throws {
        var bytes = [UInt8](repeating: 0x61, count: 3 << 20)
        let path = try TestFiles.write(bytes, named: "three-mib.txt")
        let before = try #require(ContentFingerprint.of(fileAt: path))
        #expect(before.hasPrefix("crc32:") && before.hasSuffix(":\(3 << 20)"))
        bytes[bytes.count / 2] = 0x62  // the middle MiB, which a first/last-MiB sample never reads
        let changed = try TestFiles.write(bytes, named: "three-mib-changed.txt")
        #expect(ContentFingerprint.of(fileAt: changed) != before)
        #expect(ContentFingerprint.matches(before, fileAt: path) && !ContentFingerprint.matches(before, fileAt: changed))
    }

    @Test func aSourceEditedInPlaceWithItsSizeAndTimeKeptIsNotServedFromTheCache() throws {
        let path = try TestFiles.write("2 3\na 1 2 3\nb 4 5 6\n", named: "cached.vec")
        let options = LoadOptions(cache: .beside)
        #expect(try WordEmbeddings(contentsOf: path, options: options).vector(for: "a") == [1, 2, 3])
        let modified = try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as! Date
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seek(toOffset: 6)
        handle.write(Data("7".utf8))
        try handle.close()
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        let reread = try WordEmbeddings(contentsOf: path, options: options)
        #expect(reread.vector(for: "a") == [7, 2, 3])
        #expect(reread.metadata.cacheStatus == .written)
    }
}
