/// A 2-D transposed convolution ("deconvolution"): the input gradient of a convolution, used as
/// a layer. Each input pixel scatters a weighted copy of its filter onto an output that is about
/// `stride` times larger, so the VAE's decoder upsamples 7×7 → 14×14 → 28×28 with it.
///
/// Input (B, Cin, H, W) → output (B, Cout, OH, OW), OH = (H − 1)·sh − 2·ph + kh + outputPadding.h.
/// The weight is (Cin, Cout, kh, kw), PyTorch's layout (note: input channels first), bias (Cout).
///
/// Computed as Caffe does, by GEMM then col2im, over the whole batch at once, in the
/// batch-minor layout of `Conv2d` (columns ordered (position, image)); the NCHW `forward` and
/// `backward` transpose around that computation (`BatchMinorLayer.swift`). With x transposed to
/// X' (Cin, H·W·B) and W read as a (Cin, Cout·kh·kw) matrix:
///     col (Cout·kh·kw, H·W·B) = Wᵀ · X'          (one GEMM)
///     y = (col2im(col))ᵀ + b                    (each column lands on the patch it came from)
/// where col2im uses the geometry of the *forward convolution* from y back to x: a Cout-channel
/// OH×OW image, kernel k, stride s, padding p, whose output is exactly H×W.
///
/// Backward is that convolution, with g = ∂L/∂y transposed to batch-minor:
///     ∂col = im2col(gᵀ) (Cout·kh·kw, H·W·B),   ∂b += Σ g per channel,
/// (∂col is never written out: both GEMMs pack it straight from gᵀ, `GEMMImplicitColumns.swift`)
///     ∂W (Cin, Cout·kh·kw) += X' · ∂colᵀ,       ∂X' (Cin, H·W·B) = W · ∂col,  then transposed to NCHW.
/// - Complexity: B·H·W·Cin·Cout·kh·kw multiply-adds forward, twice that backward.
public final class ConvTranspose2d: BatchMinorLayer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)
    public let padding: (height: Int, width: Int)
    public let outputPadding: (height: Int, width: Int)
    /// (Cin, Cout, kh, kw)
    public let weight: Parameter
    /// (Cout), or nil.
    public let bias: Parameter?
    public var isTraining = true

    /// The geometry of the convolution from one output image back to one input image, the batch
    /// size, and the batch-minor input X' (Cin·H·W, B) of the last forward pass: ∂W needs it.
    private var cache: (geometry: ConvGeometry, batch: Int, input: Tensor)?
    /// col in forward, (Cout·kh·kw, H·W·B) (∂col in backward is packed straight from ∂Y).
    private var columns: [Float] = []
    /// The implicit im2col's tables of ∂Y (`ImplicitColumns`), for the backward pass.
    private var rowOffsets: [Int] = []
    private var rowTaps: [(Int, Int)] = []

    /// A transposed convolution with a kh×kw kernel; stride, padding and output padding per axis.
    /// The output padding (added to one side of the output) must be smaller than the stride: it
    /// only picks among the output sizes that a stride-s convolution maps back to the same H.
    public init(inputChannels: Int, outputChannels: Int, kernel: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0),
                outputPadding: (height: Int, width: Int) = (0, 0), bias: Bool = true,
                initialization: Initialization = .pytorchDefault, using random: inout RandomSource) throws {
        guard inputChannels > 0, outputChannels > 0, kernel.height > 0, kernel.width > 0,
              stride.height > 0, stride.width > 0, padding.height >= 0, padding.width >= 0 else {
            throw LayerConfigurationError("ConvTranspose2d(\(inputChannels) → \(outputChannels), kernel \(kernel), stride \(stride), "
                                          + "padding \(padding)) needs positive sizes and a non-negative padding")
        }
        guard outputPadding.height >= 0, outputPadding.width >= 0,
              outputPadding.height < stride.height, outputPadding.width < stride.width else {
            throw LayerConfigurationError("ConvTranspose2d output padding \(outputPadding) must be in 0..<stride \(stride)")
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        let shape = [inputChannels, outputChannels, kernel.height, kernel.width]
        weight = Parameter(name: "weight", value: initialization.weight(shape: shape, using: &random))
        self.bias = bias
            ? Parameter(name: "bias", value: initialization.bias(count: outputChannels, weightShape: shape, using: &random))
            : nil
    }

    /// A transposed convolution with a square kernel and the same stride, padding and output
    /// padding on both axes.
    public convenience init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            outputPadding: Int = 0, bias: Bool = true, initialization: Initialization = .pytorchDefault,
                            using random: inout RandomSource) throws {
        try self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernel: (kernelSize, kernelSize),
                      stride: (stride, stride), padding: (padding, padding), outputPadding: (outputPadding, outputPadding),
                      bias: bias, initialization: initialization, using: &random)
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    private func checkParameterShapes() {
        requireParameterShape(weight, [inputChannels, outputChannels, kernel.height, kernel.width], in: "ConvTranspose2d")
        requireParameterShape(bias, [outputChannels], in: "ConvTranspose2d")
    }

    /// The geometry of the convolution that maps one output image (Cout, OH, OW) back to one
    /// input image (Cin's spatial size H×W), for an input of `shape` (B, Cin, H, W).
    public func geometry(forInput shape: [Int]) throws -> ConvGeometry {
        guard shape.count == 4, shape[0] > 0, shape[1] == inputChannels, shape[2] > 0, shape[3] > 0 else {
            throw LayerConfigurationError(
                "ConvTranspose2d(\(inputChannels) → \(outputChannels)) expects (B, \(inputChannels), H, W), got \(shape)")
        }
        let OH = convTransposeOutputSize(input: shape[2], kernel: kernel.height, stride: stride.height,
                                         padding: padding.height, outputPadding: outputPadding.height)
        let OW = convTransposeOutputSize(input: shape[3], kernel: kernel.width, stride: stride.width,
                                         padding: padding.width, outputPadding: outputPadding.width)
        guard OH > 0, OW > 0 else {
            throw LayerConfigurationError("ConvTranspose2d on \(shape[2])×\(shape[3]) gives an empty \(OH)×\(OW) output")
        }
        let g = try ConvGeometry(channels: outputChannels, height: OH, width: OW,
                                 kernel: kernel, stride: stride, padding: padding)
        // (OH + 2p − k)/s = H − 1 + outputPadding/s, and outputPadding < s, so this always holds.
        assert(g.outputHeight == shape[2] && g.outputWidth == shape[3])
        return g
    }

    /// (B, Cin, H, W) → (B, Cout, OH, OW).
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let g = try geometry(forInput: shape)
        return [shape[0], outputChannels, g.height, g.width]
    }

    /// (B, Cin, H, W) → (B, Cout, OH, OW): the batch-minor computation between two transposes.
    public func forward(_ x: Tensor) -> Tensor {
        let g = requireShape { try geometry(forInput: x.shape) }
        let y = forwardBatchMinor(batchMinor(x), sampleShape: Array(x.shape.dropFirst()))
        return batchMajor(y, sampleShape: [outputChannels, g.height, g.width])
    }

    /// ∂L/∂y (B, Cout, OH, OW) → ∂L/∂x (B, Cin, H, W), through `backwardBatchMinor`.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let (g, B, _) = cache else { preconditionFailure("ConvTranspose2d.backward called before forward") }
        precondition(dy.shape == [B, outputChannels, g.height, g.width],
                     "ConvTranspose2d.backward: output gradient \(dy.shape) should be \([B, outputChannels, g.height, g.width])")
        return batchMajor(backwardBatchMinor(batchMinor(dy)), sampleShape: [inputChannels, g.outputHeight, g.outputWidth])
    }

    /// (Cin, H, W) → (Cout, OH, OW).
    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        let g = requireShape { try geometry(forInput: [1] + shape) }
        return [outputChannels, g.height, g.width]
    }

    /// X' (Cin·H·W, B) → Y (Cout·OH·OW, B) = col2im(Wᵀ · X') + b.
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        let g = requireShape { try geometry(forInput: [1] + sampleShape) }
        let (Ci, Co, R, P) = (inputChannels, outputChannels, g.rows, g.columns)
        precondition(x.rank == 2 && x.shape[0] == Ci * P && x.shape[1] > 0,
                     "ConvTranspose2d: a batch-minor input of samples \(sampleShape) must be (\(Ci * P), B), got \(x.shape)")
        checkParameterShapes()
        let B = x.shape[1]
        let N = B * P  // H·W·B
        growScratch(&columns, to: R * N)
        cache = (g, B, x)
        return columns.withUnsafeMutableBufferPointer { col in
            // col (R, N) = Wᵀ (R, Ci) · X' (Ci, N)
            x.withUnsafeBufferPointer { xt in
                weight.value.withUnsafeBufferPointer { w in
                    gemm(transposeA: true, transposeB: false, m: R, n: N, k: Ci, alpha: 1,
                         a: w.baseAddress!, lda: R, b: xt.baseAddress!, ldb: N, beta: 0, c: col.baseAddress!, ldc: N)
                }
            }
            // Y (Cout·OH·OW, B) = col2im(col) + b
            return makeLayerOutput(shape: [g.imageSize, B]) { y in
                col2imBatchMinor(col.baseAddress!, batch: B, geometry: g, into: y)
                bias?.value.withUnsafeBufferPointer { b in
                    addChannelValues(b.baseAddress!, channels: Co, valuesPerChannel: g.height * g.width * B, to: y)
                }
            }
        }
    }

    /// ∂Y (Cout·OH·OW, B) → ∂X' (Cin·H·W, B); accumulates ∂W and ∂b:
    ///     ∂b += Σ of each channel's OH·OW·B values of ∂Y
    ///     ∂W (Ci, R) += X' (Ci, N) · ∂colᵀ (N, R),   ∂X' (Ci, N) = W (Ci, R) · ∂col (R, N)
    /// with ∂col = im2col(∂Y) packed straight from ∂Y, never written out.
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        guard let (g, B, x) = cache else { preconditionFailure("ConvTranspose2d.backward called before forward") }
        let (Ci, Co, R, P) = (inputChannels, outputChannels, g.rows, g.columns)
        let N = B * P
        precondition(dy.shape == [g.imageSize, B],
                     "ConvTranspose2d.backward: batch-minor output gradient \(dy.shape) should be \([g.imageSize, B])")
        checkParameterShapes()
        ImplicitColumns.tables(for: g, batch: B, offsets: &rowOffsets, taps: &rowTaps)
        return dy.withUnsafeBufferPointer { dyt in
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                addChannelSums(dyt.baseAddress!, channels: Co, valuesPerChannel: g.height * g.width * B, into: db.baseAddress!)
            }
            return rowOffsets.withUnsafeBufferPointer { offsets in
                rowTaps.withUnsafeBufferPointer { taps in
                    let dcol = ImplicitColumns(x: dyt.baseAddress!, geometry: g, batch: B,
                                               rowOffsets: offsets.baseAddress!, rowTaps: taps.baseAddress!)
                    x.withUnsafeBufferPointer { xt in
                        weight.gradient.withUnsafeMutableBufferPointer { dw in
                            gemm(transposeA: false, m: Ci, n: R, k: N, alpha: 1, a: xt.baseAddress!, lda: N,
                                 columns: dcol, transposeColumns: true, beta: 1, c: dw.baseAddress!, ldc: R)
                        }
                    }
                    return makeLayerOutput(shape: [Ci * P, B]) { dx in
                        weight.value.withUnsafeBufferPointer { w in
                            gemm(transposeA: false, m: Ci, n: N, k: R, alpha: 1, a: w.baseAddress!, lda: R,
                                 columns: dcol, transposeColumns: false, beta: 0, c: dx, ldc: N)
                        }
                    }
                }
            }
        }
    }
}
