/// A 2-D transposed convolution ("deconvolution"): the input gradient of a convolution, used as
/// a layer. Each input pixel scatters a weighted copy of its filter onto an output that is about
/// `stride` times larger, so the VAE's decoder upsamples 7×7 → 14×14 → 28×28 with it.
///
/// Input (B, Cin, H, W) → output (B, Cout, OH, OW), OH = (H − 1)·sh − 2·ph + kh + outputPadding.h.
/// The weight is (Cin, Cout, kh, kw), PyTorch's layout (note: input channels first), bias (Cout).
///
/// Computed as Caffe does, by GEMM then col2im, over the whole batch at once, in the
/// batch-minor layout of `Conv2d` (columns ordered (position, image)). With x transposed to
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
public final class ConvTranspose2d: Layer {
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

    /// The geometry of the convolution from one output image back to one input image, and the batch size.
    private var cache: (geometry: ConvGeometry, batch: Int)?
    /// X' of the last forward pass, (Cin, H·W·B): ∂W needs it.
    private var inputChannelMajor: [Float] = []
    /// col in forward (∂col in backward is packed straight from ∂Y): (Cout·kh·kw, H·W·B).
    private var columns: [Float] = []
    /// ∂X' in backward, (Cin, H·W·B).
    private var inputGradientChannelMajor: [Float] = []
    /// Y in forward, ∂Y in backward: the output in batch-minor layout, (Cout·OH·OW, B).
    private var batchMinorOutput: [Float] = []
    /// The bias expanded to one value per row (c, position) of Y, (Cout·OH·OW).
    private var rowBias: [Float] = []
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

    public func forward(_ x: Tensor) -> Tensor {
        let g = requireShape { try geometry(forInput: x.shape) }
        checkParameterShapes()
        let (B, Ci, Co, R, P) = (x.shape[0], inputChannels, outputChannels, g.rows, g.columns)
        let N = B * P  // H·W·B
        let outputPlane = g.height * g.width
        growScratch(&inputChannelMajor, to: Ci * N)
        growScratch(&columns, to: R * N)
        growScratch(&batchMinorOutput, to: g.imageSize * B)
        cache = (g, B)
        if let bias {
            // One bias value per row (c, position) of Y (Cout·OH·OW, B), added during the transpose.
            growScratch(&rowBias, to: Co * outputPlane)
            bias.value.withUnsafeBufferPointer { b in
                for c in 0..<Co { for p in 0..<outputPlane { rowBias[c * outputPlane + p] = b[c] } }
            }
        }
        return inputChannelMajor.withUnsafeMutableBufferPointer { xt in
            columns.withUnsafeMutableBufferPointer { col in
                batchMinorOutput.withUnsafeMutableBufferPointer { yt in
                    // X' (Ci·H·W, B) = xᵀ, that is (Ci, N)
                    x.withUnsafeBufferPointer { px in
                        transpose(px.baseAddress!, rows: B, columns: Ci * P, into: xt.baseAddress!)
                    }
                    // col (R, N) = Wᵀ (R, Ci) · X' (Ci, N)
                    weight.value.withUnsafeBufferPointer { w in
                        gemm(transposeA: true, transposeB: false, m: R, n: N, k: Ci, alpha: 1,
                             a: w.baseAddress!, lda: R, b: xt.baseAddress!, ldb: N, beta: 0, c: col.baseAddress!, ldc: N)
                    }
                    // Y (Cout·OH·OW, B) = col2im(col);  y = Yᵀ + b
                    col2imBatchMinor(col.baseAddress!, batch: B, geometry: g, into: yt.baseAddress!)
                    return makeLayerOutput(shape: [B, Co, g.height, g.width]) { y in
                        rowBias.withUnsafeBufferPointer { rb in
                            transpose(yt.baseAddress!, rows: g.imageSize, columns: B, into: y,
                                      rowBias: bias == nil ? nil : rb.baseAddress!)
                        }
                    }
                }
            }
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let (g, B) = cache else { preconditionFailure("ConvTranspose2d.backward called before forward") }
        let (Ci, Co, R, P) = (inputChannels, outputChannels, g.rows, g.columns)
        let N = B * P
        precondition(dy.shape == [B, Co, g.height, g.width],
                     "ConvTranspose2d.backward: output gradient \(dy.shape) should be \([B, Co, g.height, g.width])")
        checkParameterShapes()
        growScratch(&inputGradientChannelMajor, to: Ci * N)
        ImplicitColumns.tables(for: g, batch: B, offsets: &rowOffsets, taps: &rowTaps)
        return inputChannelMajor.withUnsafeMutableBufferPointer { xt in
            inputGradientChannelMajor.withUnsafeMutableBufferPointer { dxt in
                batchMinorOutput.withUnsafeMutableBufferPointer { dyt in
                    // ∂Y (Cout·OH·OW, B) = dyᵀ;  ∂b += Σ over each channel's OH·OW·B values
                    dy.withUnsafeBufferPointer { pdy in
                        transpose(pdy.baseAddress!, rows: B, columns: g.imageSize, into: dyt.baseAddress!)
                    }
                    bias?.gradient.withUnsafeMutableBufferPointer { db in
                        addChannelSums(dyt.baseAddress!, channels: Co, valuesPerChannel: g.height * g.width * B,
                                       into: db.baseAddress!)
                    }
                    // ∂col (R, N) = im2col(∂Y), never written out: both GEMMs pack it from ∂Y.
                    rowOffsets.withUnsafeBufferPointer { offsets in
                        rowTaps.withUnsafeBufferPointer { taps in
                            let dcol = ImplicitColumns(x: dyt.baseAddress!, geometry: g, batch: B,
                                                       rowOffsets: offsets.baseAddress!, rowTaps: taps.baseAddress!)
                            // ∂W (Ci, R) += X' (Ci, N) · ∂colᵀ (N, R)
                            weight.gradient.withUnsafeMutableBufferPointer { dw in
                                gemm(transposeA: false, m: Ci, n: R, k: N, alpha: 1, a: xt.baseAddress!, lda: N,
                                     columns: dcol, transposeColumns: true, beta: 1, c: dw.baseAddress!, ldc: R)
                            }
                            // ∂X' (Ci, N) = W (Ci, R) · ∂col (R, N)
                            weight.value.withUnsafeBufferPointer { w in
                                gemm(transposeA: false, m: Ci, n: N, k: R, alpha: 1, a: w.baseAddress!, lda: R,
                                     columns: dcol, transposeColumns: false, beta: 0, c: dxt.baseAddress!, ldc: N)
                            }
                        }
                    }
                }
                // ∂x (B, Ci·H·W) = ∂X'ᵀ, ∂X' read as (Ci·H·W, B)
                return makeLayerOutput(shape: [B, Ci, g.outputHeight, g.outputWidth]) { dx in
                    transpose(dxt.baseAddress!, rows: Ci * P, columns: B, into: dx)
                }
            }
        }
    }
}
