import LinearAlgebra

/// What one node of a `GraphNetwork` computes from its inputs (values of the graph).
public enum GraphOperation: Sendable {
    /// A layer of one input, as in a `SequentialNetwork` (inference mode: batch normalisation by
    /// its running statistics, no dropout).
    case layer(NetworkLayer)
    /// min(max(x, lower), upper) (ONNX `Clip`; ReLU and ReLU6 are clamps too).
    case clamp(lower: Float, upper: Float)
    /// 1 / (1 + e^−x).
    case sigmoid
    /// max(0, min(1, alpha·x + beta)).
    case hardSigmoid(alpha: Float, beta: Float)
    /// x · max(0, min(1, x/6 + 1/2)).
    case hardSwish
    /// The sum of two inputs of the same shape, or one of them a per-channel `C × 1 × 1` value.
    case add
    /// The product of two inputs, shaped as for `add` (squeeze-and-excitation scales maps this way).
    case multiply
    /// x · scale + shift with constants per channel (`channels` values each) or one value each.
    case scaleShift(scale: [Float], shift: [Float])
    /// The inputs stacked along the channels (equal height and width).
    case concatenate
    /// Softmax over each example's values.
    case softmax
    /// Constant padding around each map.
    case pad(top: Int, bottom: Int, left: Int, right: Int, value: Float)
    /// The same values in another per-example shape.
    case reshape(MapShape)

    /// The output shape for inputs of `shapes`, or nil when the operation cannot take them.
    public func outputShape(for shapes: [MapShape]) -> MapShape? {
        switch self {
        case .layer(let layer): return shapes.count == 1 ? layer.outputShape(for: shapes[0]) : nil
        case .clamp, .sigmoid, .hardSigmoid, .hardSwish, .softmax: return shapes.count == 1 ? shapes[0] : nil
        case .add, .multiply:
            guard shapes.count == 2 else { return nil }
            let (a, b) = (shapes[0], shapes[1])
            if a == b { return a }
            if a.channels == b.channels && b.spatialCount == 1 { return a }
            if a.channels == b.channels && a.spatialCount == 1 { return b }
            return nil
        case .scaleShift(let scale, let shift):
            guard shapes.count == 1, [1, shapes[0].channels].contains(scale.count), [1, shapes[0].channels].contains(shift.count) else { return nil }
            return shapes[0]
        case .concatenate:
            guard let first = shapes.first, shapes.allSatisfy({ $0.height == first.height && $0.width == first.width }) else { return nil }
            return MapShape(channels: shapes.reduce(0) { $0 + $1.channels }, height: first.height, width: first.width)
        case .pad(let top, let bottom, let left, let right, _):
            guard shapes.count == 1, min(top, bottom, left, right) >= 0 else { return nil }
            return MapShape(channels: shapes[0].channels, height: shapes[0].height + top + bottom, width: shapes[0].width + left + right)
        case .reshape(let shape): return shapes.count == 1 && shapes[0].count == shape.count ? shape : nil
        }
    }

    /// A short name, e.g. `conv 3×3 32` or `add`.
    public var summary: String {
        switch self {
        case .layer(let layer): layer.summary
        case .clamp(let lower, let upper): "clamp \(lower)…\(upper)"
        case .sigmoid: "sigmoid"
        case .hardSigmoid: "hard-sigmoid"
        case .hardSwish: "hard-swish"
        case .add: "add"
        case .multiply: "multiply"
        case .scaleShift: "scale-shift"
        case .concatenate: "concatenate"
        case .softmax: "softmax"
        case .pad: "pad"
        case .reshape(let shape): "reshape \(shape)"
        }
    }
}
