/// A 2-D convolution (cross-correlation, as in PyTorch) computed by im2col and one GEMM per batch.
///
/// Input (B, C, H, W) → output (B, O, OH, OW) with OH = ⌊(H + 2·ph − kh)/sh⌋ + 1 (likewise OW).
/// The weight is (O, C, kh, kw) and the bias (O): PyTorch's layout and `state_dict` names.
///
/// **How the batch meets the GEMM.** The whole batch is unfolded into one matrix and convolved
/// by one GEMM,
///     Y' (O, OH·OW·B) = W (O, C·kh·kw) · col (C·kh·kw, OH·OW·B).
/// Per-image GEMMs would be small and badly shaped for a blocked GEMM: the VAE's second conv is
/// 64×512×49 per image against 64×512×6272 for a batch of 128 (its first, 32×16×196 per image,
/// has K = 16). One large GEMM amortises packing and splits evenly over threads (measured: one
/// 64×512×6272 GEMM 2.2 ms, the same work as 128 per-image GEMMs 10.1 ms).
///
/// The columns are ordered (position, image), p·B + n: the layer first transposes the input
/// (B, C·H·W) to the "batch-minor" X (C·H·W, B), in which each pixel's B values are contiguous,
/// so that im2col copies whole runs of B floats (see `Im2ColBatchMinor.swift`); with columns
/// ordered (image, position) its runs would be OW floats long, 7 in the VAE's second conv, and
/// im2col and col2im cost as much as the GEMM. Y' read as (O·OH·OW, B) is transposed back to
/// NCHW, adding the bias on the way. The transposes move C·H·W·B and O·OH·OW·B floats, a small
/// fraction of the K = C·kh·kw-fold larger GEMM work.
///
/// Backward, with g = ∂L/∂y transposed to G (O, OH·OW·B) (∂L/∂b = its row sums per channel):
///     ∂L/∂W (O, C·kh·kw) += G · colᵀ          (one GEMM, the sum over the batch is its K)
///     ∂col (C·kh·kw, OH·OW·B) = Wᵀ · G        (one GEMM)
///     ∂L/∂x = (col2im(∂col))ᵀ                  (col2im sums overlapping patches)
///
/// The im2col matrix is never written out: the GEMMs pack their slivers of col (and of colᵀ for
/// ∂W) straight from the batch-minor X, which the layer keeps from the forward pass
/// (`GEMMImplicitColumns.swift`: the same values, so the same bits, without streaming a matrix
/// kh·kw/(sh·sw) times larger than X through the caches). The scratch matrices are held by the
/// layer and reused, grown only when a larger batch arrives.
/// - Complexity: B·O·OH·OW·C·kh·kw multiply-adds forward, twice that backward; memory
///   C·kh·kw·B·OH·OW (∂col) + O·B·OH·OW + C·H·W·B floats of scratch.
public final class Conv2d: Layer {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernel: (height: Int, width: Int)
    public let stride: (height: Int, width: Int)
    public let padding: (height: Int, width: Int)
    /// (O, C, kh, kw)
    public let weight: Parameter
    /// (O), or nil.
    public let bias: Parameter?
    public var isTraining = true
    /// Whether `backward` computes ∂L/∂x. The first layer of a network, whose input is data,
    /// does not need it (PyTorch skips it too, since the data does not require a gradient): when
    /// false, `backward` only accumulates ∂L/∂W and ∂L/∂b and returns an empty tensor, shape [0],
    /// skipping the ∂col GEMM, col2im and a transpose. The VAE sets it on its first convolution.
    public var computesInputGradient = true

    /// The geometry and batch size of the last forward pass.
    private var cache: (geometry: ConvGeometry, batch: Int)?
    /// The input in batch-minor layout, (C·H·W, B): ∂W needs it (every backward pass after a
    /// forward reads it again, so it is never overwritten there).
    private var batchMinorInput: [Float] = []
    /// ∂X in backward, (C·H·W, B).
    private var batchMinorGradient: [Float] = []
    /// The implicit im2col's tables (`ImplicitColumns`): per row of col, its offset and tap.
    private var rowOffsets: [Int] = []
    private var rowTaps: [(Int, Int)] = []
    /// ∂col in backward, (C·kh·kw, OH·OW·B).
    private var columnGradient: [Float] = []
    /// Y' in forward, G in backward: (O, OH·OW·B).
    private var channelMajor: [Float] = []
    /// The bias expanded to one value per row (o, p) of Y', (O·OH·OW).
    private var rowBias: [Float] = []

    /// A convolution with a kh×kw kernel, stride and padding per axis (height, width).
    public init(inputChannels: Int, outputChannels: Int, kernel: (height: Int, width: Int),
                stride: (height: Int, width: Int) = (1, 1), padding: (height: Int, width: Int) = (0, 0),
                bias: Bool = true, initialization: Initialization = .pytorchDefault,
                using random: inout RandomSource) throws {
        guard inputChannels > 0, outputChannels > 0, kernel.height > 0, kernel.width > 0,
              stride.height > 0, stride.width > 0, padding.height >= 0, padding.width >= 0 else {
            throw LayerConfigurationError("Conv2d(\(inputChannels) → \(outputChannels), kernel \(kernel), stride \(stride), "
                                          + "padding \(padding)) needs positive sizes and a non-negative padding")
        }
        self.inputChannels = inputChannels
        self.outputChannels = outputChannels
        self.kernel = kernel
        self.stride = stride
        self.padding = padding
        let shape = [outputChannels, inputChannels, kernel.height, kernel.width]
        weight = Parameter(name: "weight", value: initialization.weight(shape: shape, using: &random))
        self.bias = bias
            ? Parameter(name: "bias", value: initialization.bias(count: outputChannels, weightShape: shape, using: &random))
            : nil
    }

    /// A convolution with a square k×k kernel and the same stride and padding on both axes.
    public convenience init(inputChannels: Int, outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            bias: Bool = true, initialization: Initialization = .pytorchDefault,
                            using random: inout RandomSource) throws {
        try self.init(inputChannels: inputChannels, outputChannels: outputChannels, kernel: (kernelSize, kernelSize),
                      stride: (stride, stride), padding: (padding, padding), bias: bias,
                      initialization: initialization, using: &random)
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    private func checkParameterShapes() {
        requireParameterShape(weight, [outputChannels, inputChannels, kernel.height, kernel.width], in: "Conv2d")
        requireParameterShape(bias, [outputChannels], in: "Conv2d")
    }

    /// The geometry of one image of an input of `shape` (B, C, H, W).
    public func geometry(forInput shape: [Int]) throws -> ConvGeometry {
        guard shape.count == 4, shape[0] > 0, shape[1] == inputChannels else {
            throw LayerConfigurationError("Conv2d(\(inputChannels) → \(outputChannels)) expects (B, \(inputChannels), H, W), got \(shape)")
        }
        return try ConvGeometry(channels: inputChannels, height: shape[2], width: shape[3],
                                kernel: kernel, stride: stride, padding: padding)
    }

    /// (B, C, H, W) → (B, O, OH, OW).
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        let g = try geometry(forInput: shape)
        return [shape[0], outputChannels, g.outputHeight, g.outputWidth]
    }

    public func forward(_ x: Tensor) -> Tensor {
        let g = requireShape { try geometry(forInput: x.shape) }
        checkParameterShapes()
        let (B, O, R, P) = (x.shape[0], outputChannels, g.rows, g.columns)
        let N = B * P
        growScratch(&batchMinorInput, to: g.imageSize * B)
        growScratch(&channelMajor, to: O * N)
        ImplicitColumns.tables(for: g, batch: B, offsets: &rowOffsets, taps: &rowTaps)
        cache = (g, B)
        if let bias {
            // One bias value per row (o, p) of Y', added during the transpose.
            growScratch(&rowBias, to: O * P)
            bias.value.withUnsafeBufferPointer { b in
                for o in 0..<O { for p in 0..<P { rowBias[o * P + p] = b[o] } }
            }
        }
        return batchMinorInput.withUnsafeMutableBufferPointer { xt in
            channelMajor.withUnsafeMutableBufferPointer { yt in
                    // X (C·H·W, B) = xᵀ
                    x.withUnsafeBufferPointer { px in
                        transpose(px.baseAddress!, rows: B, columns: g.imageSize, into: xt.baseAddress!)
                    }
                    // Y' (O, N) = W (O, R) · col (R, N), col = im2col(X) read straight from X
                    withImplicitColumns(of: xt.baseAddress!, geometry: g, batch: B) { col in
                        weight.value.withUnsafeBufferPointer { w in
                            gemm(transposeA: false, m: O, n: N, k: R, alpha: 1, a: w.baseAddress!, lda: R,
                                 columns: col, transposeColumns: false, beta: 0, c: yt.baseAddress!, ldc: N)
                        }
                    }
                    // y (B, O·P) = Y'ᵀ, Y' read as (O·P, B), + b
                    return makeLayerOutput(shape: [B, O, g.outputHeight, g.outputWidth]) { y in
                        rowBias.withUnsafeBufferPointer { rb in
                            transpose(yt.baseAddress!, rows: O * P, columns: B, into: y,
                                      rowBias: bias == nil ? nil : rb.baseAddress!)
                        }
                    }
            }
        }
    }

    /// The implicit im2col matrix of the batch-minor image `x` (C·H·W, B), for `body`.
    private func withImplicitColumns<R>(of x: UnsafePointer<Float>, geometry g: ConvGeometry, batch: Int,
                                        _ body: (ImplicitColumns) -> R) -> R {
        rowOffsets.withUnsafeBufferPointer { offsets in
            rowTaps.withUnsafeBufferPointer { taps in
                body(ImplicitColumns(x: x, geometry: g, batch: batch, rowOffsets: offsets.baseAddress!, rowTaps: taps.baseAddress!))
            }
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let (g, B) = cache else { preconditionFailure("Conv2d.backward called before forward") }
        let (O, R, P) = (outputChannels, g.rows, g.columns)
        let N = B * P
        precondition(dy.shape == [B, O, g.outputHeight, g.outputWidth],
                     "Conv2d.backward: output gradient \(dy.shape) should be \([B, O, g.outputHeight, g.outputWidth])")
        checkParameterShapes()
        if computesInputGradient {
            growScratch(&columnGradient, to: R * N)
            growScratch(&batchMinorGradient, to: g.imageSize * B)
        }
        return channelMajor.withUnsafeMutableBufferPointer { gt in
            batchMinorInput.withUnsafeBufferPointer { xt in
                columnGradient.withUnsafeMutableBufferPointer { dcol in
                    batchMinorGradient.withUnsafeMutableBufferPointer { dxt in
                        // G (O, N) = dyᵀ: dy (B, O·P) transposed to (O·P, B); ∂b += Σ over each channel's P·B values
                        dy.withUnsafeBufferPointer { pdy in
                            transpose(pdy.baseAddress!, rows: B, columns: O * P, into: gt.baseAddress!)
                        }
                        bias?.gradient.withUnsafeMutableBufferPointer { db in
                            addChannelSums(gt.baseAddress!, channels: O, valuesPerChannel: N, into: db.baseAddress!)
                        }
                        // ∂W (O, R) += G (O, N) · colᵀ (N, R), col read straight from the forward pass's X
                        withImplicitColumns(of: xt.baseAddress!, geometry: g, batch: B) { col in
                            weight.gradient.withUnsafeMutableBufferPointer { dw in
                                gemm(transposeA: false, m: O, n: R, k: N, alpha: 1, a: gt.baseAddress!, lda: N,
                                     columns: col, transposeColumns: true, beta: 1, c: dw.baseAddress!, ldc: R)
                            }
                        }
                        guard computesInputGradient else { return Tensor(shape: [0]) }
                        // ∂col (R, N) = Wᵀ (R, O) · G (O, N)
                        weight.value.withUnsafeBufferPointer { w in
                            gemm(transposeA: true, transposeB: false, m: R, n: N, k: O, alpha: 1,
                                 a: w.baseAddress!, lda: R, b: gt.baseAddress!, ldb: N, beta: 0, c: dcol.baseAddress!, ldc: N)
                        }
                        // ∂X (C·H·W, B) = col2im(∂col);  ∂x = ∂Xᵀ
                        col2imBatchMinor(dcol.baseAddress!, batch: B, geometry: g, into: dxt.baseAddress!)
                        return makeLayerOutput(shape: [B, inputChannels, g.height, g.width]) { dx in
                            transpose(dxt.baseAddress!, rows: g.imageSize, columns: B, into: dx)
                        }
                    }
                }
            }
        }
    }
}
