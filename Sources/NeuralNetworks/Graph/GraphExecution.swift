import Foundation
import LinearAlgebra

/// The inference passes of the graph operations that `SequentialNetwork` does not have.
enum GraphExecution {
    static func run(_ operation: GraphOperation, _ inputs: [FeatureMaps], shape: MapShape, parallelism: Parallelism) -> FeatureMaps {
        switch operation {
        case .layer(let layer):
            return SequentialNetwork.inferenceForward(layer, inputs[0], shape: shape, parallelism: parallelism)
        case .clamp(let lower, let upper):
            var output = inputs[0]
            clamp(&output, lower...upper)
            return output
        case .sigmoid:
            return map(inputs[0]) { 1 / (1 + exp(-$0)) }
        case .hardSigmoid(let alpha, let beta):
            return map(inputs[0]) { max(0, min(1, alpha * $0 + beta)) }
        case .hardSwish:
            return map(inputs[0]) { $0 * max(0, min(1, $0 / 6 + 0.5)) }
        case .add:
            return combine(inputs[0], inputs[1], shape: shape, +)
        case .multiply:
            return combine(inputs[0], inputs[1], shape: shape, *)
        case .scaleShift(let scale, let shift):
            var output = inputs[0]
            let channels = shape.channels, spatial = shape.spatialCount
            output.values.withUnsafeMutableBufferPointer { values in
                for start in stride(from: 0, to: values.count, by: spatial) {
                    let channel = (start / spatial) % channels
                    let a = scale.count == 1 ? scale[0] : scale[channel], b = shift.count == 1 ? shift[0] : shift[channel]
                    for index in start..<(start + spatial) { values[index] = values[index] * a + b }
                }
            }
            return output
        case .concatenate:
            var output = FeatureMaps(batch: inputs[0].batch, shape: shape)
            let batch = output.batch
            output.values.withUnsafeMutableBufferPointer { target in
                for example in 0..<batch {
                    var offset = example * shape.count
                    for input in inputs {
                        let size = input.shape.count
                        input.values.withUnsafeBufferPointer { source in
                            (target.baseAddress! + offset).update(from: source.baseAddress! + example * size, count: size)
                        }
                        offset += size
                    }
                }
            }
            return output
        case .softmax:
            var output = inputs[0]
            let width = shape.count, batch = output.batch
            output.values.withUnsafeMutableBufferPointer { values in
                for row in 0..<batch { Kernels.softmax(UnsafeMutableBufferPointer(rebasing: values[(row * width)..<((row + 1) * width)])) }
            }
            return output
        case .pad(let top, _, let left, _, let value):
            let input = inputs[0]
            var output = FeatureMaps(values: Matrix(rows: input.batch, columns: shape.count,
                                                    elements: [Float](repeating: value, count: input.batch * shape.count)), shape: shape)
            let (height, width) = (input.shape.height, input.shape.width)
            input.values.withUnsafeBufferPointer { source in
                output.values.withUnsafeMutableBufferPointer { target in
                    for map in 0..<(input.batch * input.shape.channels) {
                        for y in 0..<height {
                            (target.baseAddress! + map * shape.spatialCount + (y + top) * shape.width + left)
                                .update(from: source.baseAddress! + map * input.shape.spatialCount + y * width, count: width)
                        }
                    }
                }
            }
            return output
        case .reshape(let shape):
            return FeatureMaps(values: inputs[0].values, shape: shape)
        }
    }

    /// Clamps every value into `range` in place.
    static func clamp(_ maps: inout FeatureMaps, _ range: ClosedRange<Float>) {
        maps.values.withUnsafeMutableBufferPointer { Kernels.clamp($0, to: range) }
    }

    private static func map(_ input: FeatureMaps, _ transform: (Float) -> Float) -> FeatureMaps {
        var output = input
        output.values.withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = transform(values[index]) }
        }
        return output
    }

    /// `a op b`, where one of them may be per channel (`C × 1 × 1`) and is then broadcast over the other's maps.
    private static func combine(_ a: FeatureMaps, _ b: FeatureMaps, shape: MapShape, _ op: (Float, Float) -> Float) -> FeatureMaps {
        let (full, small, swapped) = a.shape == shape ? (a, b, false) : (b, a, true)
        var output = full
        if small.shape == shape {
            small.values.withUnsafeBufferPointer { other in
                output.values.withUnsafeMutableBufferPointer { values in
                    for index in values.indices { values[index] = swapped ? op(other[index], values[index]) : op(values[index], other[index]) }
                }
            }
            return output
        }
        let spatial = shape.spatialCount
        small.values.withUnsafeBufferPointer { other in
            output.values.withUnsafeMutableBufferPointer { values in
                for map in 0..<(full.batch * shape.channels) {
                    let factor = other[map]
                    for index in (map * spatial)..<((map + 1) * spatial) {
                        values[index] = swapped ? op(factor, values[index]) : op(values[index], factor)
                    }
                }
            }
        }
        return output
    }
}
