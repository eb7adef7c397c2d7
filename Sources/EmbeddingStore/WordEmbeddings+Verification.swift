import Foundation

/// What `WordEmbeddings.verify(fileAt:)` checked.
public struct FileVerification: Sendable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// Its format.
    public let format: EmbeddingFormat
    /// Rows and dimensions.
    public let count: Int, dimensions: Int
    /// The sections whose checksums matched (native files), empty for formats without checksums.
    public let checkedSections: [String]
    /// Bytes read.
    public let bytes: Int
    /// Seconds the check took.
    public let seconds: Double

    /// One line: the file, what was checked, how long it took.
    public var description: String {
        let what = checkedSections.isEmpty
            ? "\(format) has no checksums; every row parsed"
            : "checksums match: " + checkedSections.joined(separator: ", ")
        return "\(path): ok, \(count) × \(dimensions) \(format) (\(what)); \(bytes) bytes in \(String(format: "%.1f", seconds * 1000)) ms"
    }
}

extension WordEmbeddings {
    /// Reads every byte of the vector file at `path` and checks it: a native file against the
    /// checksums of all its sections (in parallel), any other format by parsing it whole (text
    /// and binary formats carry no checksums).
    /// - Throws: `EmbeddingFileError` naming the file and the section or line that is damaged, and
    ///   for a version-1 native file (written before checksums existed).
    public static func verify(fileAt path: String) throws -> FileVerification {
        let start = Date()
        let file = try MappedFile(path: path)
        let source = ByteSource(path: path, bytes: file.bytes, owner: file, mappedFile: file, wasCompressed: false)
        if NativeFormat.hasMagic(file.bytes) {
            let layout = try NativeFormat.Layout(source)
            guard layout.checksums != nil else {
                throw source.error(.byte(8), .unsupportedVersion, "native format version \(layout.version) has no checksums; convert it again to add them")
            }
            try NativeFormat.verify(source, layout, level: .full)
            let embeddings = try NativeFormat.open(source, options: LoadOptions(verification: .structure))
            return FileVerification(path: path, format: .native, count: embeddings.count, dimensions: embeddings.dimensions,
                                    checkedSections: ["header"] + NativeChecksums.sectionNames + ["matrix"],
                                    bytes: file.count, seconds: Date().timeIntervalSince(start))
        }
        let embeddings = try WordEmbeddings(contentsOf: path)
        return FileVerification(path: path, format: embeddings.metadata.format, count: embeddings.count, dimensions: embeddings.dimensions,
                                checkedSections: [], bytes: file.count, seconds: Date().timeIntervalSince(start))
    }
}
