import LinearAlgebraKernels

/// SIMD kernels over float buffers: the inner loops every other module shares.
///
/// Read-only inputs may also be given as raw pointers at any byte address (rows inside a mapped
/// word2vec binary file are not 4-byte aligned); they are read with unaligned loads.
/// Each kernel runs the variant for `InstructionSet.detected` unless an instruction set is passed.
public enum Kernels {
    /// The sum of `a[i] * b[i]`.
    /// - Precondition: both buffers have the same count.
    /// - Complexity: O(n).
    public static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        precondition(a.count == b.count, "dot: lengths differ (\(a.count) vs \(b.count))")
        return dot(UnsafeRawPointer(a.baseAddress), UnsafeRawPointer(b.baseAddress), count: a.count)
    }

    /// The sum of `a[i] * b[i]` for `count` floats at any byte addresses.
    /// - Complexity: O(count).
    public static func dot(
        _ a: UnsafeRawPointer?, _ b: UnsafeRawPointer?, count: Int,
        instructionSet: InstructionSet = .detected
    ) -> Float {
        guard count > 0, let a, let b else { return 0 }
        return ek_dot(instructionSet.kernelValue, a, b, count)
    }

    /// `y[i] += alpha * x[i]`.
    /// - Precondition: both buffers have the same count.
    /// - Complexity: O(n).
    public static func axpy(
        _ alpha: Float, _ x: UnsafeBufferPointer<Float>, _ y: UnsafeMutableBufferPointer<Float>
    ) {
        precondition(x.count == y.count, "axpy: lengths differ (\(x.count) vs \(y.count))")
        axpy(alpha, UnsafeRawPointer(x.baseAddress), y)
    }

    /// `y[i] += alpha * x[i]` where `x` holds `y.count` floats at any byte address.
    /// - Complexity: O(n).
    public static func axpy(_ alpha: Float, _ x: UnsafeRawPointer?, _ y: UnsafeMutableBufferPointer<Float>) {
        guard let x, let base = y.baseAddress, !y.isEmpty else { return }
        ek_axpy(InstructionSet.detected.kernelValue, y.count, alpha, x, base)
    }

    /// `y[i] += x[i]`.
    /// - Precondition: both buffers have the same count.
    /// - Complexity: O(n).
    public static func add(_ x: UnsafeBufferPointer<Float>, to y: UnsafeMutableBufferPointer<Float>) {
        axpy(1, x, y)
    }

    /// `x[i] *= alpha`.
    /// - Complexity: O(n).
    public static func scale(_ x: UnsafeMutableBufferPointer<Float>, by alpha: Float) {
        guard let base = x.baseAddress, !x.isEmpty else { return }
        ek_scale(InstructionSet.detected.kernelValue, x.count, alpha, base)
    }

    /// `x[i] = max(x[i], 0)`, the rectified linear unit.
    /// - Complexity: O(n).
    public static func relu(_ x: UnsafeMutableBufferPointer<Float>) {
        guard let base = x.baseAddress, !x.isEmpty else { return }
        ek_relu(InstructionSet.detected.kernelValue, x.count, base)
    }

    /// `y[i] = 1 / (1 + e^−x[i])` (the logistic sigmoid), or `x[i]` times that (SiLU) with
    /// `timesInput`, vectorized (within a few ulp of `exp`'s; NaN stays NaN).
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func sigmoid(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>, timesInput: Bool = false) {
        precondition(x.count == y.count, "sigmoid: lengths differ (\(x.count) vs \(y.count))")
        guard let source = x.baseAddress, let target = y.baseAddress, !x.isEmpty else { return }
        ek_sigmoid(InstructionSet.detected.kernelValue, x.count, source, target, timesInput ? 1 : 0)
    }

    /// `y[i] = x[i] · Φ(x[i])` (the exact GELU, Φ the normal distribution), vectorized: erf as a
    /// rational approximation within 4.2e-7 of it (a few ulp of the result); NaN stays NaN.
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func gelu(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "gelu: lengths differ (\(x.count) vs \(y.count))")
        guard let source = x.baseAddress, let target = y.baseAddress, !x.isEmpty else { return }
        ek_gelu(InstructionSet.detected.kernelValue, x.count, source, target)
    }

    /// `dx[i] = dy[i] · (Φ(x[i]) + x[i] · φ(x[i]))`: the exact GELU's gradient, vectorized (erf as
    /// in `gelu`); NaN in `x` stays NaN.
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func geluGradient(_ x: UnsafeBufferPointer<Float>, upstream dy: UnsafeBufferPointer<Float>, into dx: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == dy.count && x.count == dx.count, "geluGradient: lengths differ (\(x.count), \(dy.count), \(dx.count))")
        guard let source = x.baseAddress, let gradient = dy.baseAddress, let target = dx.baseAddress, !x.isEmpty else { return }
        ek_gelu_backward(InstructionSet.detected.kernelValue, x.count, source, gradient, target)
    }

    /// `x[i] = min(max(x[i], range.lowerBound), range.upperBound)`.
    /// - Complexity: O(n).
    public static func clamp(_ x: UnsafeMutableBufferPointer<Float>, to range: ClosedRange<Float>) {
        guard let base = x.baseAddress, !x.isEmpty else { return }
        ek_clamp(InstructionSet.detected.kernelValue, x.count, range.lowerBound, range.upperBound, base)
    }

    /// `x[i] = min(max(x[i] + addend, range.lowerBound), range.upperBound)`: a bias and a clamp in one pass.
    /// - Complexity: O(n).
    public static func add(_ addend: Float, clamping x: UnsafeMutableBufferPointer<Float>, to range: ClosedRange<Float>) {
        guard let base = x.baseAddress, !x.isEmpty else { return }
        ek_add_clamp(InstructionSet.detected.kernelValue, x.count, addend, range.lowerBound, range.upperBound, base)
    }

    /// One map of a depthwise convolution: `output[oy][ox] = bias + Σ filter[ky][kx] ·
    /// input[oy·sy − top + ky·dy][ox·sx − left + kx·dx]` over the taps inside the input, clamped to `range`.
    /// - Parameters:
    ///   - input: the input map, row-major.
    ///   - height: the input map's rows.
    ///   - width: the input map's columns.
    ///   - filter: the filter's taps, row-major.
    ///   - kernel: the filter's rows and columns.
    ///   - stride: steps between windows (sy, sx).
    ///   - dilation: steps between taps (dy, dx).
    ///   - padding: the zero rows above and columns to the left (top, left).
    ///   - bias: added to every output.
    ///   - range: every output is clamped to it.
    ///   - output: the output map, row-major.
    ///   - outputHeight: the output map's rows.
    ///   - outputWidth: the output map's columns.
    /// - Precondition: `input` holds `height × width` values, `output` `outputHeight × outputWidth`,
    ///   and the window's sizes, strides and dilations are positive.
    /// - Complexity: O(output values × taps).
    public static func depthwiseMap(_ input: UnsafePointer<Float>, height: Int, width: Int, filter: UnsafePointer<Float>,
                                    kernel: (height: Int, width: Int), stride: (y: Int, x: Int), dilation: (y: Int, x: Int),
                                    padding: (top: Int, left: Int), bias: Float, clampedTo range: ClosedRange<Float>,
                                    into output: UnsafeMutablePointer<Float>, outputHeight: Int, outputWidth: Int) {
        precondition(height > 0 && width > 0 && kernel.height > 0 && kernel.width > 0 && stride.y > 0 && stride.x > 0
                     && dilation.y > 0 && dilation.x > 0 && padding.top >= 0 && padding.left >= 0, "depthwiseMap: invalid window")
        var window = ek_window(kernel_height: kernel.height, kernel_width: kernel.width, stride_y: stride.y, stride_x: stride.x,
                               dilation_y: dilation.y, dilation_x: dilation.x, pad_top: padding.top, pad_left: padding.left)
        withUnsafeTemporaryAllocation(of: Float.self, capacity: ek_depthwise_scratch_count(&window, outputHeight, outputWidth)) { scratch in
            ek_depthwise_map(InstructionSet.detected.kernelValue, input, height, width, filter, &window, bias, range.lowerBound,
                             range.upperBound, output, outputHeight, outputWidth, scratch.baseAddress!)
        }
    }

    /// The backward pass of ReLU: `gradient[i] = 0` wherever `activation[i] <= 0`.
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func reluBackward(activation: UnsafeBufferPointer<Float>, gradient: UnsafeMutableBufferPointer<Float>) {
        precondition(activation.count == gradient.count, "reluBackward: lengths differ (\(activation.count) vs \(gradient.count))")
        guard let a = activation.baseAddress, let g = gradient.baseAddress, !gradient.isEmpty else { return }
        ek_relu_backward(InstructionSet.detected.kernelValue, gradient.count, a, g)
    }

    /// The backward pass of a clamp to `range`, from its output: `gradient[i] = 0` wherever
    /// `value[i]` is not strictly inside the range (ReLU6's and Clip's rule in PyTorch).
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func clampBackward(value: UnsafeBufferPointer<Float>, range: ClosedRange<Float>, gradient: UnsafeMutableBufferPointer<Float>) {
        precondition(value.count == gradient.count, "clampBackward: lengths differ (\(value.count) vs \(gradient.count))")
        guard let v = value.baseAddress, let g = gradient.baseAddress, !gradient.isEmpty else { return }
        ek_clamp_backward(InstructionSet.detected.kernelValue, gradient.count, v, range.lowerBound, range.upperBound, g)
    }

    /// One Adam update of `weights` from `gradient`, with moment estimates `first` and `second`:
    /// `m = β₁m + (1−β₁)g`, `v = β₂v + (1−β₂)g²`, `w −= step · m / (√v + ε)`.
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func adamStep(
        gradient: UnsafeBufferPointer<Float>, first: UnsafeMutableBufferPointer<Float>, second: UnsafeMutableBufferPointer<Float>,
        weights: UnsafeMutableBufferPointer<Float>, beta1: Float, beta2: Float, step: Float, epsilon: Float
    ) {
        precondition(gradient.count == first.count && first.count == second.count && second.count == weights.count,
                     "adamStep: lengths differ")
        guard !weights.isEmpty else { return }
        ek_adam_step(InstructionSet.detected.kernelValue, weights.count, gradient.baseAddress, first.baseAddress,
                     second.baseAddress, weights.baseAddress, beta1, beta2, step, epsilon)
    }

    /// `y[i] *= x[i]`.
    /// - Precondition: equal counts.
    /// - Complexity: O(n).
    public static func multiplyElementwise(_ x: UnsafeBufferPointer<Float>, into y: UnsafeMutableBufferPointer<Float>) {
        precondition(x.count == y.count, "multiplyElementwise: lengths differ (\(x.count) vs \(y.count))")
        guard let xs = x.baseAddress, let ys = y.baseAddress, !y.isEmpty else { return }
        ek_multiply_elementwise(InstructionSet.detected.kernelValue, y.count, xs, ys)
    }

    /// The Euclidean (L2) norm, `sqrt(sum of x[i]²)`.
    /// - Complexity: O(n).
    public static func l2Norm(_ x: UnsafeBufferPointer<Float>) -> Float {
        l2Norm(UnsafeRawPointer(x.baseAddress), count: x.count)
    }

    /// The Euclidean (L2) norm of `count` floats at any byte address, correct for any finite
    /// values: float squares overflow above ~1.8e19 and vanish below ~1e-19, so a norm outside
    /// [1e-18, ∞) is recomputed in double precision (infinite only when the norm itself exceeds
    /// `Float.greatestFiniteMagnitude`).
    /// - Complexity: O(count).
    public static func l2Norm(_ x: UnsafeRawPointer?, count: Int) -> Float {
        guard count > 0, let x else { return 0 }
        let norm = ek_sum_of_squares(InstructionSet.detected.kernelValue, x, count).squareRoot()
        return norm.isFinite && norm >= 1e-18 ? norm : Float(doubleNorm(x, count: count))
    }

    private static func doubleNorm(_ x: UnsafeRawPointer, count: Int) -> Double {
        var sum = 0.0
        for index in 0..<count {
            let value = Double(x.loadUnaligned(fromByteOffset: index * MemoryLayout<Float>.stride, as: Float.self))
            sum += value * value
        }
        return sum.squareRoot()
    }

    /// Scales `x` to unit L2 norm in place, for any finite values (tiny or huge norms are divided
    /// out in double precision); a zero vector stays zero.
    /// - Returns: the norm before scaling.
    /// - Complexity: O(n).
    @discardableResult
    public static func normalize(_ x: UnsafeMutableBufferPointer<Float>) -> Float {
        let norm = l2Norm(UnsafeBufferPointer(x))
        guard norm > 0, let base = x.baseAddress else { return norm }
        if norm >= 1e-30 && norm <= 1e30 {
            scale(x, by: 1 / norm)
        } else {
            let exact = doubleNorm(UnsafeRawPointer(base), count: x.count)
            for index in x.indices { x[index] = Float(Double(x[index]) / exact) }
        }
        return norm
    }
}
