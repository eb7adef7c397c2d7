import LinearAlgebra

/// The shared parts of element-wise tests with broadcasting (comparisons, logical operators):
/// inputs of either element type, read as floats (integers of magnitude above 2²⁴ round), and
/// an output of 0s and 1s as integers, the graph's booleans. Nothing trains through them.
protocol BroadcastingPredicate: AttributelessOperation {
    /// Whether the test holds for one pair of elements.
    static func holds(_ a: Float, _ b: Float) -> Bool
}

extension BroadcastingPredicate {
    /// Booleans carry no gradient.
    public static var isDifferentiable: Bool { false }

    /// The broadcast of the two shapes.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 2 else { throw OperationError("\(Self.typeName) takes two inputs, not \(shapes.count)") }
        return try Broadcast(shapes[0], shapes[1]).outputShape
    }

    /// Integers (0 or 1).
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType { .int32 }

    /// 1 where the test holds, else 0.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let (a, b) = (Predicate.floats(inputs[0]), Predicate.floats(inputs[1]))
        let layout = Broadcast(checked: a.shape, b.shape)
        return Predicate.booleans(layout.apply(a, b, parallelism: context.parallelism) { Self.holds($0, $1) ? 1 : 0 })
    }
}

/// Conversions between the graph's booleans (integers 0 and 1) and floats.
enum Predicate {
    /// The tensor as floats (a copy of integers; floats as they are).
    static func floats(_ tensor: Tensor) -> Tensor {
        tensor.elementType == .float32 ? tensor : Tensor(shape: tensor.shape, elements: tensor.integers.map(Float.init))
    }

    /// Floats holding 0 or 1 (or any value: non-zero is true) as the integers 0 and 1.
    static func booleans(_ tensor: Tensor) -> Tensor {
        Tensor(shape: tensor.shape, integers: tensor.withUnsafeBufferPointer { $0.map { $0 != 0 ? 1 : 0 } })
    }
}
