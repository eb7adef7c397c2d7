import LinearAlgebra

/// The input converted to another element type (ONNX `Cast`): ids and masks to floats, floats
/// to integers (truncated toward zero, saturating at the 32-bit range; NaN becomes 0), anything
/// to booleans (non-zero is 1). The graph computes in 32-bit floats and integers, so a cast to
/// `double` gives floats and one to a 64-bit or narrower integer gives 32-bit integers;
/// half-precision targets are refused rather than computed at another precision.
public struct Cast: Operation {
    /// `Cast`.
    public static let typeName = "Cast"

    /// The target as the graph holds it.
    public enum Target: String, Sendable, Hashable {
        /// Floats (ONNX `float`, `double`).
        case float
        /// Integers (ONNX's signed and unsigned integer types).
        case integer
        /// 0 or 1 as integers (ONNX `bool`).
        case boolean
    }

    /// The ONNX element type cast to (its `TensorProto.DataType` number).
    public let to: Int
    /// What the graph makes of it.
    public let target: Target

    /// A cast to the ONNX element type `to`.
    /// - Throws: `OperationError` for a type the graph cannot hold (strings, half precision).
    public init(to: Int) throws {
        switch to {
        case 1, 11: target = .float
        case 2, 3, 4, 5, 6, 7, 12, 13: target = .integer
        case 9: target = .boolean
        default: throw OperationError("Cast to element type \(to) is not supported (the graph holds float32, integers and booleans)")
        }
        self.to = to
    }

    /// A cast to `target` (as ONNX `float`, `int64` or `bool`).
    public init(target: Target) {
        self.target = target
        to = switch target {
        case .float: 1
        case .integer: 7
        case .boolean: 9
        }
    }

    /// From the attribute `to`.
    /// - Throws: `OperationError` when it is missing or names a type the graph cannot hold.
    public init(attributes: OperationAttributes) throws {
        try self.init(to: try attributes.integer("to", in: 0...64))
    }

    /// `to`.
    public var attributes: OperationAttributes { ["to": .integer(to)] }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard shapes.count == 1 else { throw OperationError("Cast takes one input, not \(shapes.count)") }
        return shapes[0]
    }

    /// Floats, or integers for integer and boolean targets.
    public func outputElementType(for elementTypes: [Tensor.ElementType]) -> Tensor.ElementType {
        target == .float ? .float32 : .int32
    }

    /// The converted values.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let input = inputs[0]
        switch (target, input.elementType) {
        case (.float, .float32), (.integer, .int32): return input
        case (.float, .int32): return Predicate.floats(input)
        case (.boolean, .int32): return Tensor(shape: input.shape, integers: input.withUnsafeIntegers { $0.map { $0 != 0 ? 1 : 0 } })
        case (.boolean, .float32): return Predicate.booleans(input)
        case (.integer, .float32):
            return Tensor(shape: input.shape, integers: input.withUnsafeBufferPointer { values in
                values.map { $0.isNaN ? 0 : Int32(max(min($0, 2_147_483_520), -2_147_483_648)) }
            })
        }
    }

    /// The gradient as it is, for a cast from floats to floats (else none).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        [pass.needsGradient[0] && target == .float ? outputGradient : nil]
    }
}
