/// How the weights of a new layer are drawn.
public enum Initializer: Sendable, Hashable {
    /// All zeros.
    case zeros
    /// Uniform on `[-limit, limit]`.
    case uniform(limit: Float)
    /// Normal with mean 0 and the given standard deviation.
    case normal(standardDeviation: Float)
    /// Glorot/Xavier uniform: limit `sqrt(6 / (fanIn + fanOut))` for a `fanOut × fanIn` matrix.
    case glorotUniform
    /// He/Kaiming normal for ReLU layers: standard deviation `sqrt(2 / fanIn)`.
    case heNormal
}

extension Matrix {
    /// A `rows` × `columns` matrix drawn from `initializer` with `generator`; `columns` is the
    /// fan-in and `rows` the fan-out.
    /// - Complexity: O(rows × columns).
    public init<G: RandomNumberGenerator>(
        rows: Int, columns: Int, initializer: Initializer, using generator: inout G
    ) {
        self.init(rows: rows, columns: columns)
        withUnsafeMutableBufferPointer { values in
            switch initializer {
            case .zeros:
                break
            case .uniform(let limit):
                for index in values.indices { values[index] = (2 * generator.nextUnitFloat() - 1) * limit }
            case .normal(let deviation):
                for index in values.indices { values[index] = generator.nextNormal(standardDeviation: deviation) }
            case .glorotUniform:
                let limit = (6 / Float(max(1, rows + columns))).squareRoot()
                for index in values.indices { values[index] = (2 * generator.nextUnitFloat() - 1) * limit }
            case .heNormal:
                let deviation = (2 / Float(max(1, columns))).squareRoot()
                for index in values.indices { values[index] = generator.nextNormal(standardDeviation: deviation) }
            }
        }
    }
}
