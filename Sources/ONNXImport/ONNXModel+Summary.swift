extension ONNXModel {
    /// How many nodes use each operator, by name.
    public var operatorCounts: [String: Int] {
        graph.nodes.reduce(into: [:]) { $0[$1.opType, default: 0] += 1 }
    }

    /// The number of float values in the initializers (the weights).
    public var parameterCount: Int {
        graph.initializers.values.reduce(0) { total, tensor in
            guard [.float, .float16, .double].contains(tensor.dataType), let count = try? tensor.elementCount() else { return total }
            return total + count
        }
    }

    /// The graph inputs that are not initializers (what a caller feeds).
    public var feedInputs: [ONNXValueInfo] { graph.inputs.filter { graph.initializers[$0.name] == nil } }
}

extension ONNXValueInfo {
    /// `name [batch, 3, 224, 224]`.
    public var summary: String {
        let dims = dimensions.map { list in
            "[" + list.map { dimension in
                switch dimension {
                case .fixed(let value): "\(value)"
                case .symbolic(let name): name
                }
            }.joined(separator: ", ") + "]"
        } ?? "(no shape)"
        return "\(name) \(dims)"
    }
}
