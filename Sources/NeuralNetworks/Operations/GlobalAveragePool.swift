import LinearAlgebra

/// The mean of each map: N × C × H × W → N × C × 1 × 1 (ONNX `GlobalAveragePool`), the feature
/// layer of most ImageNet classifiers.
public struct GlobalAveragePool: AttributelessOperation {
    /// `GlobalAveragePool`.
    public static let typeName = "GlobalAveragePool"

    /// The operation.
    public init() {}

    /// N × C × 1 × … × 1.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1, elementTypes[0] == .float32, shapes[0].count >= 3 else {
            throw OperationError("GlobalAveragePool takes one float N × C × spatial input")
        }
        return [shapes[0][0], shapes[0][1]] + [Int](repeating: 1, count: shapes[0].count - 2)
    }

    /// The mean of every map.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let input = inputs[0], spatial = input.shape.dropFirst(2).reduce(1, *)
        let shape = [input.shape[0], input.shape[1]] + [Int](repeating: 1, count: input.rank - 2)
        return Tensor(shape: shape) { output in
            input.withUnsafeBufferPointer { values in
                for map in output.indices {
                    var sum: Float = 0
                    for index in (map * spatial)..<((map + 1) * spatial) { sum += values[index] }
                    output[map] = sum / Float(max(1, spatial))
                }
            }
        }
    }

    /// Each map's gradient spread evenly over its positions.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let shape = pass.inputShapes[0], spatial = shape.dropFirst(2).reduce(1, *)
        return [Tensor(shape: shape) { values in
            outputGradient.withUnsafeBufferPointer { upstream in
                for map in upstream.indices {
                    let share = upstream[map] / Float(max(1, spatial))
                    for index in (map * spatial)..<((map + 1) * spatial) { values[index] = share }
                }
            }
        }]
    }
}
