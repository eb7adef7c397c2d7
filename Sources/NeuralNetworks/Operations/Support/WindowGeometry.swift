/// Where a 2-D convolution or pooling window goes: its size, stride, dilation and the zero
/// padding on each side (ONNX's `pads` may differ between sides; PyTorch's are symmetric).
public struct WindowGeometry: Sendable, Hashable, Codable {
    /// The window's rows and columns.
    public var kernelHeight: Int, kernelWidth: Int
    /// Steps between windows.
    public var strideY: Int, strideX: Int
    /// Steps between the window's taps (1: adjacent).
    public var dilationY: Int, dilationX: Int
    /// Zero rows above and below, zero columns left and right.
    public var padTop: Int, padBottom: Int, padLeft: Int, padRight: Int

    /// A square window with symmetric padding, as PyTorch's `Conv2d(kernel_size, stride, padding)`.
    public init(kernel: Int, stride: Int = 1, padding: Int = 0, dilation: Int = 1) {
        self.init(kernelHeight: kernel, kernelWidth: kernel, strideY: stride, strideX: stride, dilationY: dilation,
                  dilationX: dilation, padTop: padding, padBottom: padding, padLeft: padding, padRight: padding)
    }

    /// Any window.
    /// - Precondition: sizes, strides and dilations are positive, paddings not negative.
    public init(kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, dilationY: Int = 1, dilationX: Int = 1,
                padTop: Int, padBottom: Int, padLeft: Int, padRight: Int) {
        precondition(kernelHeight > 0 && kernelWidth > 0 && strideY > 0 && strideX > 0 && dilationY > 0 && dilationX > 0
                     && min(padTop, padBottom, padLeft, padRight) >= 0, "WindowGeometry: invalid window")
        (self.kernelHeight, self.kernelWidth, self.strideY, self.strideX) = (kernelHeight, kernelWidth, strideY, strideX)
        (self.dilationY, self.dilationX) = (dilationY, dilationX)
        (self.padTop, self.padBottom, self.padLeft, self.padRight) = (padTop, padBottom, padLeft, padRight)
    }

    /// Taps per window per channel.
    public var taps: Int { kernelHeight * kernelWidth }

    /// The output rows and columns for an input of `height` × `width` (nil when no window fits).
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int)? {
        let spanY = dilationY * (kernelHeight - 1) + 1, spanX = dilationX * (kernelWidth - 1) + 1
        let paddedY = height + padTop + padBottom, paddedX = width + padLeft + padRight
        guard paddedY >= spanY, paddedX >= spanX else { return nil }
        return ((paddedY - spanY) / strideY + 1, (paddedX - spanX) / strideX + 1)
    }

    /// Whether every output value reads exactly its own input value (a 1 × 1 window, stride 1, no padding).
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideY == 1 && strideX == 1 && padTop == 0 && padBottom == 0
            && padLeft == 0 && padRight == 0
    }
}

extension WindowGeometry {
    /// The window of a 2-D `Conv`, `MaxPool` or `AveragePool` from ONNX's attributes:
    /// `kernel_shape` (or `kernel` when the weights give it), `strides`, `dilations` and `pads`
    /// (top, left, bottom, right).
    /// - Throws: `OperationError` for a missing kernel or a size, stride, dilation or padding outside 0…1024.
    init(attributes: OperationAttributes, kernel: (height: Int, width: Int)? = nil) throws {
        let kernelShape = try attributes.integers("kernel_shape", default: kernel.map { [$0.height, $0.width] }, count: 2, in: 1...1024)
        if let kernel, kernelShape != [kernel.height, kernel.width] {
            throw OperationError("kernel_shape \(kernelShape) disagrees with the weights' \(kernel.height)×\(kernel.width)")
        }
        let strides = try attributes.integers("strides", default: [1, 1], count: 2, in: 1...1024)
        let dilations = try attributes.integers("dilations", default: [1, 1], count: 2, in: 1...1024)
        let pads = try attributes.integers("pads", default: [0, 0, 0, 0], count: 4, in: 0...1024)
        self.init(kernelHeight: kernelShape[0], kernelWidth: kernelShape[1], strideY: strides[0], strideX: strides[1],
                  dilationY: dilations[0], dilationX: dilations[1], padTop: pads[0], padBottom: pads[2], padLeft: pads[1], padRight: pads[3])
    }

    /// ONNX's attributes of this window.
    var attributes: [String: OperationAttributes.Value] {
        ["kernel_shape": .integers([kernelHeight, kernelWidth]), "strides": .integers([strideY, strideX]),
         "dilations": .integers([dilationY, dilationX]), "pads": .integers([padTop, padLeft, padBottom, padRight])]
    }

    /// The output rows and columns with the last window allowed to hang over the padding
    /// (`ceil_mode`, as PyTorch computes it: a window must start inside the input or its leading padding).
    func outputSize(height: Int, width: Int, ceilMode: Bool) -> (height: Int, width: Int)? {
        guard ceilMode else { return outputSize(height: height, width: width) }
        func size(_ input: Int, _ kernel: Int, _ stride: Int, _ dilation: Int, _ before: Int, _ after: Int) -> Int? {
            let span = dilation * (kernel - 1) + 1, padded = input + before + after
            guard padded >= span else { return nil }
            var output = (padded - span + stride - 1) / stride + 1
            if (output - 1) * stride >= input + before { output -= 1 }
            return output
        }
        guard let rows = size(height, kernelHeight, strideY, dilationY, padTop, padBottom),
              let columns = size(width, kernelWidth, strideX, dilationX, padLeft, padRight) else { return nil }
        return (rows, columns)
    }
}
