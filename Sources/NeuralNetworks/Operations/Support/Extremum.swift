import LinearAlgebra

/// The shared parts of `Max` and `Min` of two tensors with broadcasting: the gradient goes to
/// the input that was chosen, split evenly on ties (as PyTorch's `maximum` and `minimum` do);
/// NaN wins over any number.
protocol BroadcastingExtremum: BroadcastingBinary {
    /// Whether `a` is chosen over `b` (strictly).
    static func prefers(_ a: Float, _ b: Float) -> Bool
}

extension BroadcastingExtremum {
    /// The inputs (to tell which was chosen).
    public var backwardNeeds: BackwardNeeds { .inputs }

    /// The chosen element of each pair.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        layout(inputs.map(\.shape)).apply(inputs[0], inputs[1], parallelism: context.parallelism) { a, b in
            a.isNaN || b.isNaN ? .nan : Self.prefers(b, a) ? b : a
        }
    }

    /// The gradient where each input was chosen (half of it on ties), summed over the dimensions
    /// it was broadcast along.
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        let layout = layout(pass.inputShapes)
        let share = layout.apply(pass.input(0), pass.input(1), parallelism: pass.parallelism) { a, b in
            Self.prefers(a, b) ? 1 : Self.prefers(b, a) ? 0 : 0.5
        }
        return (0..<2).map { position -> Tensor? in
            guard pass.needsGradient[position] else { return nil }
            let routed = Elementwise.zip(outputGradient, share, parallelism: pass.parallelism) { gradient, first in
                gradient * (position == 0 ? first : 1 - first)
            }
            return layout.reduce(routed, toA: position == 0, shape: pass.inputShapes[position])
        }
    }
}
