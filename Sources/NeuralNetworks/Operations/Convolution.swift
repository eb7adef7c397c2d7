import LinearAlgebra

/// A 2-D convolution over N × C × H × W maps (ONNX `Conv`, PyTorch's `Conv2d`): inputs X, the
/// filters W (O × C/groups × kH × kW) and an optional bias B (O). `groups` splits the channels
/// into independent convolutions (`groups == C` is depthwise). Each group is unfolded (im2col)
/// and multiplied by the packed GEMM; a pointwise 1 × 1 convolution multiplies the maps directly.
///
/// For inference a convolution may carry a fused activation (`clamp`: ReLU, ReLU6) and its
/// filters packed once (`prepacked`), as `Graph.optimizedForInference()` makes it.
public struct Convolution: Operation {
    /// `Conv`.
    public static let typeName = "Conv"
    /// The window.
    public let geometry: WindowGeometry
    /// Independent channel groups.
    public let groups: Int
    /// A range every output is clamped to (a fused ReLU or ReLU6), or nil.
    public let clamp: ClosedRange<Float>?
    /// The filters packed for the matrix product (one group only; set for inference).
    let prepacked: PackedMatrix?

    /// A convolution.
    /// - Precondition: `groups >= 1`.
    public init(geometry: WindowGeometry, groups: Int = 1, clamp: ClosedRange<Float>? = nil) {
        precondition(groups >= 1, "Convolution: \(groups) groups")
        self.init(geometry: geometry, groups: groups, clamp: clamp, prepacked: nil)
    }

    private init(geometry: WindowGeometry, groups: Int, clamp: ClosedRange<Float>?, prepacked: PackedMatrix?) {
        self.geometry = geometry
        self.groups = groups
        self.clamp = clamp
        self.prepacked = prepacked
    }

    /// From ONNX's attributes (`kernel_shape`, `strides`, `dilations`, `pads`, `group`) and the
    /// fused clamp `activation_min`/`activation_max` when present.
    /// - Throws: `OperationError` for a missing kernel shape or sizes out of range.
    public init(attributes: OperationAttributes) throws {
        let lower = try attributes.optionalFloat("activation_min"), upper = try attributes.optionalFloat("activation_max")
        guard (lower ?? -.infinity) <= (upper ?? .infinity) else { throw OperationError("the fused clamp's bounds are reversed") }
        self.init(geometry: try WindowGeometry(attributes: attributes), groups: try attributes.integer("group", default: 1, in: 1...65_536),
                  clamp: lower == nil && upper == nil ? nil : (lower ?? -.infinity)...(upper ?? .infinity))
    }

    /// The window, `group`, and the fused clamp's finite bounds.
    public var attributes: OperationAttributes {
        var values = geometry.attributes
        values["group"] = .integer(groups)
        if let clamp {
            if clamp.lowerBound.isFinite { values["activation_min"] = .float(clamp.lowerBound) }
            if clamp.upperBound.isFinite { values["activation_max"] = .float(clamp.upperBound) }
        }
        return OperationAttributes(values)
    }

    /// The filters and the bias are weights.
    public func role(ofInput position: Int) -> InputRole { position == 0 ? .data : .weight }

    /// N × O × outH × outW.
    public func outputShape(for shapes: [[Int]], elementTypes: [Tensor.ElementType]) throws -> [Int] {
        guard (2...3).contains(shapes.count), elementTypes.allSatisfy({ $0 == .float32 }) else {
            throw OperationError("Conv takes float data, filters and an optional bias")
        }
        let (x, w) = (shapes[0], shapes[1])
        guard x.count == 4, w.count == 4 else { throw OperationError("Conv is 2-D: data N × C × H × W and filters O × C/groups × kH × kW") }
        guard w[2] == geometry.kernelHeight, w[3] == geometry.kernelWidth else {
            throw OperationError("filters of \(w[2])×\(w[3]) for a \(geometry.kernelHeight)×\(geometry.kernelWidth) window")
        }
        guard x[1] == w[1] * groups, w[0] % groups == 0 else { throw OperationError("filters \(w) do not fit \(x[1]) channels in \(groups) groups") }
        if shapes.count == 3 { guard shapes[2] == [w[0]] else { throw OperationError("a bias of \(shapes[2]) for \(w[0]) filters") } }
        guard let size = geometry.outputSize(height: x[2], width: x[3]) else { throw OperationError("no window fits \(x[2])×\(x[3]) maps") }
        return [x[0], w[0], size.height, size.width]
    }

    /// The inputs (the data for the filter gradient, the filters for the data gradient), and the
    /// output when a clamp is fused.
    public var backwardNeeds: BackwardNeeds { clamp == nil ? .inputs : [.inputs, .output] }

    /// The convolution with its filters packed for the matrix product, for inference.
    public func prepacking(_ filters: Tensor) -> Convolution {
        guard groups == 1, filters.rank == 4 else { return self }
        return Convolution(geometry: geometry, groups: groups, clamp: clamp,
                           prepacked: PackedMatrix(filters.reshaped([filters.shape[0], filters.count / filters.shape[0]]).matrix))
    }

    /// The same convolution with `clamp` fused after it.
    public func fusing(_ clamp: ClosedRange<Float>) -> Convolution {
        Convolution(geometry: geometry, groups: groups, clamp: clamp, prepacked: prepacked)
    }

    /// The convolution of every example, plus the bias, clamped when a clamp is fused.
    public func forward(_ inputs: [Tensor], context: inout ForwardContext) -> Tensor {
        let shapes = inputs.map(\.shape)
        guard let shape = try? outputShape(for: shapes, elementTypes: inputs.map(\.elementType)) else {
            preconditionFailure("Conv: shapes were checked")
        }
        let bias = inputs.count == 3 ? inputs[2] : Tensor(zeros: [shapes[1][0]])
        return ConvolutionKernels(geometry: geometry, groups: groups, input: shapes[0], output: shape)
            .forward(inputs[0], filters: inputs[1], bias: bias, clamp: clamp ?? -Float.infinity...Float.infinity,
                     packed: prepacked, parallelism: context.parallelism)
    }

    /// The gradients of the data, the filters and the bias (each only when asked for).
    public func backward(_ outputGradient: Tensor, pass: SavedPass) -> [Tensor?] {
        var gradient = outputGradient
        if let clamp, let output = pass.output {
            gradient = Elementwise.gradientInside(outputGradient, where: output, lower: clamp.lowerBound, upper: clamp.upperBound,
                                                      parallelism: pass.parallelism)
        }
        let kernels = ConvolutionKernels(geometry: geometry, groups: groups, input: pass.inputShapes[0], output: gradient.shape)
        let (data, filters, bias) = kernels.backward(pass.input(0), filters: pass.input(1), outputGradient: gradient,
                                                     dataGradient: pass.needsGradient[0],
                                                     parameterGradients: pass.needsGradient.dropFirst().contains(true),
                                                     parallelism: pass.parallelism)
        return [data, pass.needsGradient[1] ? filters : nil] + (pass.inputShapes.count == 3 ? [pass.needsGradient[2] ? bias : nil] : [])
    }
}
