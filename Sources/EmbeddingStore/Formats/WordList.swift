/// Words collected by one parser, back to back, from consecutive lines starting at `firstLine`.
struct WordList: Sendable {
    /// The 1-based line of the first word.
    let firstLine: Int
    private var bytes: [UInt8] = []
    private var ends: [Int] = []

    init(firstLine: Int) {
        self.firstLine = firstLine
    }

    mutating func append(_ word: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: word)
        ends.append(bytes.count)
    }

    /// Calls `body` with each word's bytes and 1-based line, in order.
    func forEach(_ body: (UnsafeRawBufferPointer, Int) throws -> Void) rethrows {
        try bytes.withUnsafeBytes { all in
            var start = 0
            for (index, end) in ends.enumerated() {
                try body(UnsafeRawBufferPointer(rebasing: all[start..<end]), firstLine + index)
                start = end
            }
        }
    }
}
