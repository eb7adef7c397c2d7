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
