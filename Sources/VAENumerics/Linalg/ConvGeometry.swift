/// The shape arithmetic of one 2-D convolution over one image: input (C, H, W), a kh×kw kernel,
/// a stride and a zero padding per axis, and the output (OH, OW) they give.
///
/// OH = ⌊(H + 2·padH − kh) / strideH⌋ + 1, and likewise OW. The im2col matrix of one image has
/// `rows` = C·kh·kw (one row per kernel tap: channel, kernel row, kernel column) and
/// `columns` = OH·OW (one column per output position).
public struct ConvGeometry: Equatable, Sendable, CustomStringConvertible {
    public let channels: Int, height: Int, width: Int
    public let kernelHeight: Int, kernelWidth: Int
    public let strideHeight: Int, strideWidth: Int
    public let paddingHeight: Int, paddingWidth: Int
    public let outputHeight: Int, outputWidth: Int

    /// Throws when a size is not positive, a padding is negative, or the padded input is smaller
    /// than the kernel (there would be no output position).
    public init(channels: Int, height: Int, width: Int,
                kernel: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1),
                padding: (height: Int, width: Int) = (0, 0)) throws {
        guard channels > 0, height > 0, width > 0 else {
            throw LayerConfigurationError("convolution input (C, H, W) = (\(channels), \(height), \(width)) must be positive")
        }
        guard kernel.height > 0, kernel.width > 0, stride.height > 0, stride.width > 0 else {
            throw LayerConfigurationError("kernel \(kernel) and stride \(stride) must be positive")
        }
        guard padding.height >= 0, padding.width >= 0 else {
            throw LayerConfigurationError("padding \(padding) must not be negative")
        }
        guard height + 2 * padding.height >= kernel.height, width + 2 * padding.width >= kernel.width else {
            throw LayerConfigurationError(
                "input \(height)×\(width) with padding \(padding) is smaller than the \(kernel.height)×\(kernel.width) kernel")
        }
        self.channels = channels; self.height = height; self.width = width
        kernelHeight = kernel.height; kernelWidth = kernel.width
        strideHeight = stride.height; strideWidth = stride.width
        paddingHeight = padding.height; paddingWidth = padding.width
        outputHeight = (height + 2 * padding.height - kernel.height) / stride.height + 1
        outputWidth = (width + 2 * padding.width - kernel.width) / stride.width + 1
    }

    /// C·kh·kw: the rows of the im2col matrix, the inner dimension of the convolution's GEMM.
    @inlinable public var rows: Int { channels * kernelHeight * kernelWidth }
    /// OH·OW: the columns of one image's im2col matrix.
    @inlinable public var columns: Int { outputHeight * outputWidth }
    /// C·H·W: the elements of one input image.
    @inlinable public var imageSize: Int { channels * height * width }

    public var description: String {
        "(\(channels), \(height), \(width)) * \(kernelHeight)×\(kernelWidth) stride (\(strideHeight), \(strideWidth)) "
            + "padding (\(paddingHeight), \(paddingWidth)) → \(outputHeight)×\(outputWidth)"
    }
}

/// A layer built with an impossible configuration, or given an input of the wrong shape.
///
/// Constructors and `outputShape(forInput:)` throw it; `forward`, whose signature in `Layer`
/// cannot throw, stops with the same message.
public struct LayerConfigurationError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
