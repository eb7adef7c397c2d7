import Foundation
import LinearAlgebra
import Synchronization

/// Reads word2vec text, fastText `.vec` (both with a `count dims` header) and GloVe text (no
/// header).
///
/// Rows are `word v1 … vD`, separated by spaces or tabs; trailing whitespace, CR before LF and
/// trailing blank lines are accepted; every row's width is checked. A mapped file is parsed on all
/// cores, releasing the pages it has read so memory stays near the size of the vectors; a gzip
/// file is inflated on one core while its lines are parsed on another (`read(streaming:)`).
struct TextVectorReader {
    let path: String
    let format: EmbeddingFormat
    let options: LoadOptions
    let parallelism = Parallelism.available

    /// How many bytes a parser reads before releasing them from the resident set.
    private static let releaseWindow = 8 << 20

    private var headerLines: Int { format.hasTextHeader ? 1 : 0 }

    /// Parses a whole file in memory (mapped) on all cores.
    func read(_ source: ByteSource) throws -> WordEmbeddings {
        let bytes = source.bytes
        let header = format.hasTextHeader ? try HeaderLine.parse(source) : nil
        let bodyStart = header?.bodyStart ?? 0
        if let header, header.dimensions > (bytes.count - bodyStart) / 2 {
            // Each value takes at least two bytes ("0 "): refuse a lying header before allocating.
            throw source.error(.line(1), .badHeader,
                               "the header promises \(header.dimensions) values per row, more than the "
                               + "\(bytes.count - bodyStart) bytes that follow can hold")
        }
        // Progress: indexing the lines counts for the first tenth, parsing for the rest.
        let progress = ProgressCounter(total: 10 * bytes.count, callback: options.progress)
        var lines = LineIndex.lineStarts(in: bytes, from: bodyStart, parallelism: parallelism, releasing: source.mappedFile)
        progress.set(bytes.count)
        func content(_ index: Int) -> UnsafeRawBufferPointer {
            let end = index + 1 < lines.count ? lines[index + 1] : bytes.count
            return TextRowParser.content(of: UnsafeRawBufferPointer(rebasing: bytes[lines[index]..<end]))
        }
        while let last = lines.indices.last, content(last).isEmpty { lines.removeLast() }
        let dimensions = try header?.dimensions ?? gloveDimensions(firstRow: lines.isEmpty ? nil : content(0))
        if let header { try checkRowCount(found: lines.count, promised: header.count) }
        let rowCount = min(lines.count, options.limit ?? lines.count)
        let rows = RowBuffer(dimensions: dimensions, capacity: rowCount)
        rows.setCount(rowCount)

        let parser = TextRowParser(path: path, dimensions: dimensions, nonFiniteValues: options.nonFiniteValues)
        let chunkCount = max(1, min(parallelism.threadCount, rowCount / 4096))
        let wordLists = Mutex([WordList?](repeating: nil, count: chunkCount))
        let firstError = Mutex<(row: Int, error: EmbeddingFileError)?>(nil)
        let headerLines = headerLines
        let file = source.mappedFile
        let lineStarts = lines
        Parallelism(threadCount: chunkCount).forEachChunk(of: chunkCount) { chunks in
            let bytes = source.bytes
            for chunk in chunks {
                let range = Parallelism.rangeOfChunk(chunk, chunkCount: chunkCount, count: rowCount)
                var words = WordList(firstLine: headerLines + range.lowerBound + 1)
                var released = range.isEmpty ? 0 : lineStarts[range.lowerBound]
                for row in range {
                    let start = lineStarts[row]
                    let end = row + 1 < lineStarts.count ? lineStarts[row + 1] : bytes.count
                    let line = TextRowParser.content(of: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                    do {
                        let wordLength = try parser.parse(line, lineNumber: headerLines + row + 1, into: rows.row(row))
                        words.append(UnsafeRawBufferPointer(rebasing: line[0..<wordLength]))
                    } catch {
                        firstError.withLock { current in
                            if current == nil || row < current!.row { current = (row, error as! EmbeddingFileError) }
                        }
                        return
                    }
                    if start - released > Self.releaseWindow {
                        file?.release(released..<start)
                        progress.advance(by: 9 * (start - released))
                        released = start
                    }
                }
                if !range.isEmpty {
                    let end = range.upperBound < lineStarts.count ? lineStarts[range.upperBound] : bytes.count
                    file?.release(released..<end)
                    progress.advance(by: 9 * (end - released))
                }
                wordLists.withLock { $0[chunk] = words }
            }
        }
        if let (_, error) = firstError.withLock({ $0 }) { throw error }
        progress.set(10 * bytes.count)
        return try finish(rows: rows, words: wordLists.withLock { $0.compactMap { $0 } }, compressed: false)
    }

    /// Parses a gzip file block by block while the next block is inflated in the background.
    func read(streaming blocks: GzipLineBlocks, compressedSize: Int) throws -> WordEmbeddings {
        defer { blocks.cancel() }
        var lineNumber = 0
        var header: (count: Int, dimensions: Int)?
        var parser: TextRowParser?
        var rows: RowBuffer?
        var words = WordList(firstLine: headerLines + 1)
        var blankLine: Int?
        let limit = options.limit ?? .max
        reading: while let block = try blocks.next() {
            let bytes = block.bytes
            var start = 0
            while start < bytes.count {
                let end = bytes.baseAddress.flatMap { memchr($0 + start, 0x0A, bytes.count - start) }
                    .map { bytes.baseAddress!.distance(to: UnsafeRawPointer($0)) + 1 } ?? bytes.count
                let line = TextRowParser.content(of: UnsafeRawBufferPointer(rebasing: bytes[start..<end]))
                start = end
                lineNumber += 1
                if lineNumber == 1 && format.hasTextHeader {
                    header = try HeaderLine.parse(line: line, path: path)
                    continue
                }
                if line.isEmpty {
                    blankLine = blankLine ?? lineNumber
                    continue
                }
                if let blankLine {
                    throw error(.line(blankLine), .raggedRow, "empty line; expected a word and its values")
                }
                if parser == nil {
                    let dimensions = try header?.dimensions ?? gloveDimensions(firstRow: line)
                    parser = TextRowParser(path: path, dimensions: dimensions, nonFiniteValues: options.nonFiniteValues)
                    // Reserve generously: untouched capacity costs address space, not memory.
                    let estimate = header?.count ?? (compressedSize * 8 / max(1, line.count))
                    rows = RowBuffer(dimensions: dimensions, capacity: min(estimate, limit))
                }
                guard rows!.count < limit else { break reading }
                if let header, rows!.count == header.count {
                    try checkRowCount(found: header.count + 1, promised: header.count)
                }
                let wordLength = try parser!.parse(line, lineNumber: lineNumber, into: rows!.appendRow())
                words.append(UnsafeRawBufferPointer(rebasing: line[0..<wordLength]))
            }
        }
        guard let rows else { throw error(.file, .empty, "the file holds no vectors") }
        if let header, rows.count < limit {
            try checkRowCount(found: rows.count, promised: header.count)
        }
        return try finish(rows: rows, words: [words], compressed: true)
    }

    /// Builds the vocabulary from the parsed words in order, dropping rows of duplicate words.
    private func finish(rows: RowBuffer, words: [WordList], compressed: Bool) throws -> WordEmbeddings {
        var builder = VocabularyBuilder(expectedCount: rows.count)
        var keptRows: [Int] = []
        keptRows.reserveCapacity(rows.count)
        var row = 0
        for list in words {
            try list.forEach { word, line in
                let inserted = try UTF8Validation.withValidWord(word, decoding: options.textDecoding, error: { bad in
                    error(.line(line), .invalidUTF8, "invalid UTF-8 at byte \(bad) of the word")
                }) { builder.insert($0) }
                if inserted != nil { keptRows.append(row) }
                row += 1
            }
        }
        if keptRows.count < rows.count { rows.keepRows(keptRows) }
        let metadata = EmbeddingMetadata(format: format, sourcePath: path, wasCompressed: compressed,
                                         duplicateCount: builder.duplicateCount)
        return WordEmbeddings(vocabulary: builder.build(), dimensions: rows.dimensions, storage: .owned(rows),
                              metadata: metadata, caseMatching: options.caseMatching)
    }

    /// Checks a header's row count against the rows found.
    private func checkRowCount(found: Int, promised: Int) throws {
        if found < promised {
            throw error(.line(headerLines + found + 1), .truncated,
                        "the header promises \(promised) rows, the file ends after \(found)")
        }
        if found > promised {
            throw error(.line(headerLines + promised + 1), .raggedRow, "the header promises \(promised) rows, the file has more")
        }
    }

    /// GloVe: the number of tokens on the first row, minus the word.
    private func gloveDimensions(firstRow: UnsafeRawBufferPointer?) throws -> Int {
        guard let firstRow else { throw error(.file, .empty, "the file holds no vectors") }
        let tokens = firstRow.split(whereSeparator: TextRowParser.isSpace).count
        guard tokens >= 2 else {
            throw error(.line(1), .raggedRow, "expected a word followed by its values, found \(tokens) token(s)")
        }
        return tokens - 1
    }

    private func error(_ location: FileLocation, _ kind: EmbeddingFileError.Kind, _ message: String) -> EmbeddingFileError {
        EmbeddingFileError(path: path, location: location, kind: kind, message: message)
    }
}
