import Foundation
import LinearAlgebra

/// exp(x) normalised to sum 1 along `axis` (ONNX `Softmax`, opset 13: the last axis by default).
public struct Softmax: Operation {
    /// `Softmax`.
    public static let typeName = "Softmax"
    /// The dimension the probabilities sum along (negative counts from the end).
    public let axis: Int

    /// A softmax along `axis`.
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

    /// The output (the Jacobian is written in it).
    public var backwardNeeds: BackwardNeeds { .output }

    /// The probabilities, stable for any finite input.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) throws -> Tensor {
        let layout = try AxisLayout(inputs[0].shape, axis: axis)
        var output = inputs[0]
        output.withUnsafeMutableBufferPointer { values in
            if layout.inner == 1 {
                for row in 0..<layout.outer { Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * layout.size)..<((row + 1) * layout.size)])) }
                return
            }
            layout.forEachLine { start in
                var maximum = -Float.infinity
                for step in 0..<layout.size { maximum = max(maximum, values[start + step * layout.inner]) }
                var sum: Float = 0
                for step in 0..<layout.size {
                    let value = exp(values[start + step * layout.inner] - maximum)
                    values[start + step * layout.inner] = value
                    sum += value
                }
                for step in 0..<layout.size { values[start + step * layout.inner] /= sum }
            }
        }
        return output
    }

    /// y · (g − Σ g·y) along the axis.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        guard let layout = try? AxisLayout(pass.inputShapes[0], axis: axis) else { preconditionFailure("Softmax: axis checked") }
        let output = pass.output!
        return [Tensor(shape: output.shape) { result in
            output.withUnsafeBufferPointer { y in
                outputGradient.withUnsafeBufferPointer { g in
                    layout.forEachLine { start in
                        var dot: Float = 0
                        for step in 0..<layout.size { dot += g[start + step * layout.inner] * y[start + step * layout.inner] }
                        for step in 0..<layout.size {
                            let index = start + step * layout.inner
                            result[index] = y[index] * (g[index] - dot)
                        }
                    }
                }
            }
        }]
    }
}
