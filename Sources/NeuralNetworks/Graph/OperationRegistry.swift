/// Every operation type by its registered name: how model files and the ONNX importer turn a
/// stored node back into an operation. Adding an operation is its file plus one line here.
public enum OperationRegistry {
    /// The operation types.
    public static let types: [any Operation.Type] = [
        Add.self, And.self, AveragePool.self, BatchNormalization.self, BroadcastAlong.self, Cast.self, Clip.self, Concat.self,
        Convolution.self, Div.self, Dropout.self, Equal.self, Erf.self, Expand.self, Flatten.self, Gather.self, GatherND.self,
        Gelu.self, Gemm.self, GlobalAveragePool.self, Greater.self, GreaterOrEqual.self, HardSigmoid.self, HardSwish.self,
        Identity.self, IsNaN.self, LayerNormalization.self, Less.self, LessOrEqual.self, LogSoftmax.self, MatMul.self, Max.self,
        MaxPool.self, Min.self, Mul.self, Not.self, Or.self, Pad.self, Pow.self, PrefixAlong.self, ReduceMean.self, ReduceSum.self, Relu.self,
        Reshape.self, Sigmoid.self, SiLU.self, Slice.self, Softmax.self, Sqrt.self, Sub.self, Tanh.self, Transpose.self, Where.self,
        Xor.self,
    ]

    private static let byName: [String: any Operation.Type] = Dictionary(uniqueKeysWithValues: types.map { ($0.typeName, $0) })

    /// The type registered as `name`, or nil.
    public static func type(named name: String) -> (any Operation.Type)? { byName[name] }

    /// The operation `name` with `attributes`.
    /// - Throws: `OperationError` for a name nothing is registered as, or attributes it refuses.
    public static func operation(named name: String, attributes: OperationAttributes) throws -> any Operation {
        guard let type = byName[name] else { throw OperationError("no operation is registered as '\(name)'") }
        return try type.init(attributes: attributes)
    }
}
