extension ONNXNode {
    /// An integer attribute, or `fallback` when absent (nil when it has another type).
    func integer(_ name: String, default fallback: Int64) -> Int64? {
        guard let attribute = attributes[name] else { return fallback }
        if case .integer(let value) = attribute { return value }
        return nil
    }

    /// An integer-list attribute, or nil when absent or of another type.
    func integers(_ name: String) -> [Int64]? {
        if case .integers(let values)? = attributes[name] { return values }
        return nil
    }

    /// A float attribute, or `fallback` when absent (nil when it has another type).
    func float(_ name: String, default fallback: Float) -> Float? {
        guard let attribute = attributes[name] else { return fallback }
        if case .float(let value) = attribute { return value }
        return nil
    }

    /// A string attribute, or `fallback` when absent.
    func string(_ name: String, default fallback: String) -> String? {
        guard let attribute = attributes[name] else { return fallback }
        if case .string(let value) = attribute { return value }
        return nil
    }
}
