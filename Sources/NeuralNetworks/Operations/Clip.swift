import LinearAlgebra

/// min(max(x, lower), upper), element-wise (ONNX `Clip`; ReLU6 is `Clip` to 0…6). The ONNX
/// importer turns `Clip`'s constant `min` and `max` inputs into these attributes.
public struct Clip: Operation {
    /// `Clip`.
    public static let typeName = "Clip"
    /// The least output.
    public let lower: Float
    /// The greatest output.
    public let upper: Float

    /// A clip to `lower…upper` (±infinity for no bound).
    /// - Precondition: `lower <= upper`, neither NaN.
    public init(lower: Float = -.infinity, upper: Float = .infinity) {
        precondition(lower <= upper, "Clip: \(lower) > \(upper)")
        self.lower = lower
        self.upper = upper
    }

    /// From the attributes `min` and `max` (absent: unbounded).
    /// - Throws: `OperationError` when `min` exceeds `max`.
    public init(attributes: OperationAttributes) throws {
        let lower = try attributes.optionalFloat("min") ?? -.infinity, upper = try attributes.optionalFloat("max") ?? .infinity
        guard lower <= upper else { throw OperationError("Clip's min \(lower) exceeds its max \(upper)") }
        self.init(lower: lower, upper: upper)
    }

    /// `min` and `max`, each only when finite.
    public var attributes: OperationAttributes {
        var result: OperationAttributes = [:]
        if lower.isFinite { result.values["min"] = .float(lower) }
        if upper.isFinite { result.values["max"] = .float(upper) }
        return result
    }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
    }

    /// The output: where it sits at a bound, the gradient stops.
    public var backwardNeeds: BackwardNeeds { .output }

    /// The clamped input.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        var output = inputs[0]
        let range = lower...upper
        output.withUnsafeMutableBufferPointer { Kernels.clamp($0, to: range) }
        return output
    }

    /// The gradient strictly inside the bounds, else 0 (PyTorch's `hardtanh` rule).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [Elementwise.gradientInside(outputGradient, where: pass.output!, lower: lower, upper: upper, parallelism: pass.parallelism)]
    }
}
