extension Matrix: Codable {
    private enum CodingKeys: String, CodingKey { case rows, columns, elements }

    /// Decodes `rows`, `columns` and the row-major `elements`.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let rows = try container.decode(Int.self, forKey: .rows), columns = try container.decode(Int.self, forKey: .columns)
        let elements = try container.decode([Float].self, forKey: .elements)
        let (count, overflow) = rows.multipliedReportingOverflow(by: columns)
        guard rows >= 0, columns >= 0, !overflow, elements.count == count else {
            throw DecodingError.dataCorruptedError(forKey: .elements, in: container,
                                                   debugDescription: "\(elements.count) elements for \(rows)×\(columns)")
        }
        self.init(rows: rows, columns: columns, elements: elements)
    }

    /// Encodes `rows`, `columns` and the row-major `elements`.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        try container.encode(withUnsafeBufferPointer { Array($0) }, forKey: .elements)
    }
}
