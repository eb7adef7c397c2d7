import Foundation
import LinearAlgebra

/// log(softmax(x)) along `axis` (ONNX `LogSoftmax`, opset 13: the last axis by default).
public struct LogSoftmax: Operation {
    /// `LogSoftmax`.
    public static let typeName = "LogSoftmax"
    /// The dimension the softmax runs along (negative counts from the end).
    public let axis: Int

    /// A log-softmax along `axis`.
    public init(axis: Int = -1) { self.axis = axis }

    /// From the attribute `axis` (default −1).
    /// - Throws: `OperationError` for an absurd axis.
    public init(attributes: OperationAttributes) throws { self.init(axis: try attributes.integer("axis", default: -1, in: -64...64)) }

    /// `axis`.
    public var attributes: OperationAttributes { ["axis": .integer(axis)] }

    /// The input's shape.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        let shape = try Elementwise.unaryShape(shapes, elementTypes, name: Self.typeName)
        _ = try AxisLayout(shape, axis: axis)
        return shape
    }

    /// The output (softmax = exp(output)).
    public var backwardNeeds: BackwardNeeds { .output }

    /// (x − max) − log Σ exp(x − max) along the axis.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let layout = try AxisLayout(inputs[0].shape, axis: axis)
        var output = inputs[0]
        output.withUnsafeMutableBufferPointer { values in
            layout.forEachLine { start in
                var maximum = -Float.infinity
                for step in 0..<layout.size { maximum = max(maximum, values[start + step * layout.inner]) }
                var sum: Float = 0
                for step in 0..<layout.size { sum += exp(values[start + step * layout.inner] - maximum) }
                let shift = maximum + log(sum)
                for step in 0..<layout.size { values[start + step * layout.inner] -= shift }
            }
        }
        return output
    }

    /// g − softmax · Σ g along the axis.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let layout = try? AxisLayout(pass.inputShapes[0], axis: axis) else { preconditionFailure("LogSoftmax: axis checked") }
        let output = pass.output!
        return [Tensor(shape: output.shape) { result in
            output.withUnsafeBufferPointer { y in
                outputGradient.withUnsafeBufferPointer { g in
                    layout.forEachLine { start in
                        var sum: Float = 0
                        for step in 0..<layout.size { sum += g[start + step * layout.inner] }
                        for step in 0..<layout.size {
                            let index = start + step * layout.inner
                            result[index] = g[index] - exp(y[index]) * sum
                        }
                    }
                }
            }
        }]
    }
}
