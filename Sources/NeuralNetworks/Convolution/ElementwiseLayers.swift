import LinearAlgebra

/// The element-wise layers' passes: ReLU, ReLU6, dropout and global average pooling.
enum ElementwiseLayers {
    /// min(max(0, x), ceiling) in place (ReLU with an infinite ceiling).
    static func clamp(_ maps: inout FeatureMaps, ceiling: Float) {
        maps.values.withUnsafeMutableBufferPointer { values in
            if ceiling == .infinity {
                Kernels.relu(values)
            } else {
                for index in values.indices { values[index] = min(max(values[index], 0), ceiling) }
            }
        }
    }

    /// Zeroes the gradient where the clamp was flat (output at 0 or at the ceiling).
    static func clampGradient(_ gradient: inout FeatureMaps, output: FeatureMaps, ceiling: Float) {
        output.values.withUnsafeBufferPointer { output in
            gradient.values.withUnsafeMutableBufferPointer { gradient in
                // A select rather than a branch, so the loop vectorizes.
                for index in gradient.indices {
                    let value = output[index]
                    gradient[index] = value > 0 && value < ceiling ? gradient[index] : 0
                }
            }
        }
    }

    /// The mean of every map.
    static func globalAverage(_ input: FeatureMaps) -> FeatureMaps {
        var output = FeatureMaps(batch: input.batch, shape: MapShape(features: input.shape.channels))
        let spatial = input.shape.spatialCount
        input.values.withUnsafeBufferPointer { inputs in
            output.values.withUnsafeMutableBufferPointer { outputs in
                for map in outputs.indices {
                    var sum: Float = 0
                    for index in (map * spatial)..<((map + 1) * spatial) { sum += inputs[index] }
                    outputs[map] = sum / Float(spatial)
                }
            }
        }
        return output
    }

    /// Spreads each map's gradient evenly over its positions.
    static func globalAverageGradient(_ outputGradient: FeatureMaps, inputShape: MapShape) -> FeatureMaps {
        var gradient = FeatureMaps(batch: outputGradient.batch, shape: inputShape)
        let spatial = inputShape.spatialCount
        outputGradient.values.withUnsafeBufferPointer { upstream in
            gradient.values.withUnsafeMutableBufferPointer { values in
                for map in upstream.indices {
                    let share = upstream[map] / Float(spatial)
                    for index in (map * spatial)..<((map + 1) * spatial) { values[index] = share }
                }
            }
        }
        return gradient
    }
}
