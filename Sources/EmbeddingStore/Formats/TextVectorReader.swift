import LinearAlgebra
import Synchronization

/// Reads word2vec text, fastText `.vec` (both with a `count dims` header) and GloVe text (no
/// header), parsing the rows on all cores into an aligned matrix.
///
/// Rows are `word v1 … vD`, separated by spaces or tabs; trailing whitespace, CR before LF and
/// trailing blank lines are accepted. Every row's width is checked.
struct TextVectorReader {
    let source: ByteSource
    let format: EmbeddingFormat
    let options: LoadOptions
    let parallelism = Parallelism.available

    func read() throws -> WordEmbeddings {
        let bytes = source.bytes
        var header: HeaderLine?
        if format.hasTextHeader { header = try HeaderLine.parse(source) }
        let headerLines = header == nil ? 0 : 1
        let bodyStart = header?.bodyStart ?? 0
        if let header, header.dimensions > (bytes.count - bodyStart) / 2 {
            // Each value takes at least two bytes ("0 "): refuse a lying header before allocating.
            throw source.error(.line(1), .badHeader,
                               "the header promises \(header.dimensions) values per row, more than the "
                               + "\(bytes.count - bodyStart) bytes that follow can hold")
        }
        var lines = LineIndex.lineStarts(in: bytes, from: bodyStart, parallelism: parallelism)
        while !lines.isEmpty && line(lines.count - 1, lines).isEmpty { lines.removeLast() }
        let rowsInFile = lines.count
        let dimensions = try header?.dimensions ?? gloveDimensions(lines)
        if let header {
            guard rowsInFile >= header.count else {
                throw source.error(.line(headerLines + rowsInFile + 1), .truncated,
                                   "the header promises \(header.count) rows, the file ends after \(rowsInFile)")
            }
            guard rowsInFile == header.count else {
                throw source.error(.line(headerLines + header.count + 1), .raggedRow,
                                   "the header promises \(header.count) rows, the file has more")
            }
        }
        let rowCount = min(rowsInFile, options.limit ?? rowsInFile)
        var matrix = Matrix(rows: rowCount, columns: dimensions)
        let wordRanges = try parseRows(lines: lines, rowCount: rowCount, dimensions: dimensions,
                                       headerLines: headerLines, into: &matrix)
        var builder = VocabularyBuilder(expectedCount: rowCount)
        var keptRows: [Int] = []
        keptRows.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            let word = UnsafeRawBufferPointer(rebasing: bytes[wordRanges[row]])
            let inserted = try UTF8Validation.withValidWord(word, decoding: options.textDecoding, error: { bad in
                source.error(.line(headerLines + row + 1), .invalidUTF8,
                             "invalid UTF-8 in the word at byte \(wordRanges[row].lowerBound + bad)")
            }) { builder.insert($0) }
            if inserted != nil { keptRows.append(row) }
        }
        if keptRows.count < rowCount { matrix = Self.keepingRows(keptRows, of: matrix) }
        let metadata = EmbeddingMetadata(format: format, sourcePath: source.path, wasCompressed: source.wasCompressed,
                                         duplicateCount: builder.duplicateCount)
        return WordEmbeddings(vocabulary: builder.build(), dimensions: dimensions, storage: .owned(matrix),
                              metadata: metadata, caseMatching: options.caseMatching)
    }

    /// The byte range of line `index` without its newline, CR and trailing spaces or tabs.
    private func line(_ index: Int, _ lines: [Int]) -> Range<Int> {
        let start = lines[index]
        var end = index + 1 < lines.count ? lines[index + 1] - 1 : source.bytes.count
        while end > start, Self.isSpace(source.bytes[end - 1]) || source.bytes[end - 1] == 0x0A { end -= 1 }
        return start..<end
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// GloVe: the number of tokens on the first line, minus the word.
    private func gloveDimensions(_ lines: [Int]) throws -> Int {
        guard !lines.isEmpty else {
            throw source.error(.file, .empty, "the file holds no vectors")
        }
        let first = UnsafeRawBufferPointer(rebasing: source.bytes[line(0, lines)])
        let tokens = first.split(whereSeparator: Self.isSpace).count
        guard tokens >= 2 else {
            throw source.error(.line(1), .raggedRow, "expected a word followed by its values, found \(tokens) token(s)")
        }
        return tokens - 1
    }

    /// Parses every row into `matrix` on all cores; returns the byte range of each row's word.
    /// Throws the error of the earliest bad line.
    private func parseRows(lines: [Int], rowCount: Int, dimensions: Int, headerLines: Int,
                           into matrix: inout Matrix) throws -> [Range<Int>] {
        var wordRanges = [Range<Int>](repeating: 0..<0, count: rowCount)
        let firstError = Mutex<(row: Int, error: EmbeddingFileError)?>(nil)
        let rejectNonFinite = options.nonFiniteValues == .reject
        let reader = self
        wordRanges.withUnsafeMutableBufferPointer { ranges in
            matrix.withUnsafeMutableBufferPointer { values in
                let rangeOutput = SharedPointer(base: ranges.baseAddress!)
                let valueOutput = SharedPointer(base: values.baseAddress!)
                parallelism.forEachChunk(of: rowCount, minimumChunkSize: 4096) { rows in
                    for row in rows {
                        do {
                            let lineRange = reader.line(row, lines)
                            rangeOutput.base[row] = try reader.parseRow(
                                lineRange, into: valueOutput.base + row * dimensions, dimensions: dimensions,
                                rejectNonFinite: rejectNonFinite, lineNumber: headerLines + row + 1)
                        } catch {
                            firstError.withLock { current in
                                if current == nil || row < current!.row { current = (row, error as! EmbeddingFileError) }
                            }
                            return
                        }
                    }
                }
            }
        }
        if let (_, error) = firstError.withLock({ $0 }) { throw error }
        return wordRanges
    }

    /// Parses `word v1 … vD` into `output`; returns the word's byte range.
    private func parseRow(_ range: Range<Int>, into output: UnsafeMutablePointer<Float>, dimensions: Int,
                          rejectNonFinite: Bool, lineNumber: Int) throws -> Range<Int> {
        let bytes = source.bytes
        guard !range.isEmpty else {
            throw source.error(.line(lineNumber), .raggedRow, "empty line; expected a word and \(dimensions) values")
        }
        var position = range.lowerBound
        while position < range.upperBound && !Self.isSpace(bytes[position]) { position += 1 }
        let word = range.lowerBound..<position
        guard !word.isEmpty else {
            throw source.error(.line(lineNumber), .raggedRow, "the line starts with whitespace instead of a word")
        }
        var found = 0
        let base = bytes.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while true {
            while position < range.upperBound && Self.isSpace(bytes[position]) { position += 1 }
            if position == range.upperBound { break }
            guard found < dimensions else {
                throw source.error(.line(lineNumber), .raggedRow, "expected \(dimensions) values, found more")
            }
            let tokenStart = position
            do throws(FloatParser.Failure) {
                let (value, length) = try FloatParser.parsePrefix(base + position, count: range.upperBound - position)
                position += length
                guard position == range.upperBound || Self.isSpace(bytes[position]) else { throw .notANumber }
                output[found] = value
            } catch .nonFinite where !rejectNonFinite {
                while position < range.upperBound && !Self.isSpace(bytes[position]) { position += 1 }
                output[found] = Self.nonFiniteValue(UnsafeRawBufferPointer(rebasing: bytes[tokenStart..<position]))
            } catch {
                var tokenEnd = tokenStart
                while tokenEnd < range.upperBound && !Self.isSpace(bytes[tokenEnd]) { tokenEnd += 1 }
                let text = String(decoding: bytes[tokenStart..<tokenEnd].prefix(40), as: UTF8.self)
                throw error == .nonFinite
                    ? source.error(.line(lineNumber), .nonFiniteValue, "value \(found + 1) is \"\(text)\", not finite")
                    : source.error(.line(lineNumber), .badNumber, "value \(found + 1) is \"\(text)\", not a number")
            }
            found += 1
        }
        guard found == dimensions else {
            throw source.error(.line(lineNumber), .raggedRow, "expected \(dimensions) values, found \(found)")
        }
        return word
    }

    /// NaN or ±infinity for an allowed non-finite token.
    private static func nonFiniteValue(_ token: UnsafeRawBufferPointer) -> Float {
        let text = String(decoding: token, as: UTF8.self).lowercased()
        if text.contains("nan") { return .nan }
        return text.hasPrefix("-") ? -.infinity : .infinity
    }

    /// A matrix of only `rows` of `matrix`, in order.
    static func keepingRows(_ rows: [Int], of matrix: Matrix) -> Matrix {
        var kept = Matrix(rows: rows.count, columns: matrix.columns)
        kept.withUnsafeMutableBufferPointer { output in
            for (target, source) in rows.enumerated() {
                matrix.withRow(source) { row in
                    _ = UnsafeMutableBufferPointer(rebasing: output[(target * matrix.columns)...]).update(fromContentsOf: row)
                }
            }
        }
        return kept
    }
}
