extension StringProtocol {
    /// The text without leading and trailing white space (Unicode `White_Space`: spaces, tabs,
    /// line breaks, no-break and ideographic spaces). Checked scalar by scalar with an ASCII fast
    /// path: Foundation's `trimmingCharacters(in:)` goes through UTF-16 and cost more than
    /// featurizing when reading corpora.
    func trimmingWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespace }) else { return "" }
        let end = scalars.index(after: scalars.lastIndex(where: { !$0.isWhitespace })!)
        return String(decoding: utf8[first..<end], as: UTF8.self)
    }
}

extension Unicode.Scalar {
    fileprivate var isWhitespace: Bool {
        value < 0x80 ? value == 0x20 || (0x09...0x0D).contains(value) : properties.isWhitespace
    }
}
