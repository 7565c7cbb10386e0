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
/// im2col and col2im cost as much as the GEMM. Y' read as (O·OH·OW, B) is the output in
/// batch-minor layout: the layer's computation is written on that layout
/// (`forwardBatchMinor`, `backwardBatchMinor`), and its NCHW `forward` and `backward`
/// transpose around it. Inside a `Sequential` of batch-minor layers the transposes happen once
/// for the whole chain (`BatchMinorLayer.swift`).
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
///   C·kh·kw·B·OH·OW floats of scratch (∂col), besides the input kept for ∂W.
public final class Conv2d: BatchMinorLayer {
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
    package var computesInputGradient = true

    /// The geometry and batch size of the last forward pass, and its batch-minor input
    /// X (C·H·W, B): ∂W is packed from it (every backward pass after a forward reads it again).
    private var cache: (geometry: ConvGeometry, batch: Int, input: Tensor)?
    /// The implicit im2col's tables (`ImplicitColumns`): per row of col, its offset and tap.
    private var rowOffsets: [Int] = []
    private var rowTaps: [(Int, Int)] = []
    /// ∂col in backward, (C·kh·kw, OH·OW·B).
    private var columnGradient: [Float] = []

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

    /// (B, C, H, W) → (B, O, OH, OW): the batch-minor computation between two transposes.
    public func forward(_ x: Tensor) -> Tensor {
        let g = requireShape { try geometry(forInput: x.shape) }
        let y = forwardBatchMinor(batchMinor(x), sampleShape: [inputChannels, g.height, g.width])
        return batchMajor(y, sampleShape: [outputChannels, g.outputHeight, g.outputWidth])
    }

    /// ∂L/∂y (B, O, OH, OW) → ∂L/∂x (B, C, H, W), through `backwardBatchMinor`.
    public func backward(_ dy: Tensor) -> Tensor {
        guard let (g, B, _) = cache else { preconditionFailure("Conv2d.backward called before forward") }
        precondition(dy.shape == [B, outputChannels, g.outputHeight, g.outputWidth],
                     "Conv2d.backward: output gradient \(dy.shape) should be \([B, outputChannels, g.outputHeight, g.outputWidth])")
        let dx = backwardBatchMinor(batchMinor(dy))
        return computesInputGradient ? batchMajor(dx, sampleShape: [inputChannels, g.height, g.width]) : dx
    }

    /// (C, H, W) → (O, OH, OW).
    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        let g = requireShape { try geometry(forInput: [1] + shape) }
        return [outputChannels, g.outputHeight, g.outputWidth]
    }

    /// X (C·H·W, B) → Y' (O·OH·OW, B) = W · col(X) + b, with col packed straight from X.
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        let g = requireShape { try geometry(forInput: [1] + sampleShape) }
        precondition(x.rank == 2 && x.shape[0] == g.imageSize && x.shape[1] > 0,
                     "Conv2d: a batch-minor input of samples \(sampleShape) must be (\(g.imageSize), B), got \(x.shape)")
        checkParameterShapes()
        let (B, O, R, P) = (x.shape[1], outputChannels, g.rows, g.columns)
        let N = B * P
        ImplicitColumns.tables(for: g, batch: B, offsets: &rowOffsets, taps: &rowTaps)
        cache = (g, B, x)
        return makeLayerOutput(shape: [O * P, B]) { y in
            // Y' (O, N) = W (O, R) · col (R, N), col = im2col(X) read straight from X
            x.withUnsafeBufferPointer { xt in
                withImplicitColumns(of: xt.baseAddress!, geometry: g, batch: B) { col in
                    weight.value.withUnsafeBufferPointer { w in
                        gemm(transposeA: false, m: O, n: N, k: R, alpha: 1, a: w.baseAddress!, lda: R,
                             columns: col, transposeColumns: false, beta: 0, c: y, ldc: N)
                    }
                }
            }
            // + b: row (o, p) of Y' holds B values of channel o.
            bias?.value.withUnsafeBufferPointer { b in addChannelValues(b.baseAddress!, channels: O, valuesPerChannel: N, to: y) }
        }
    }

    /// G = ∂L/∂Y' (O·OH·OW, B) → ∂X (C·H·W, B); accumulates ∂W and ∂b:
    ///     ∂b += Σ of each channel's OH·OW·B values of G
    ///     ∂W (O, R) += G (O, N) · colᵀ (N, R)      (col packed from the cached X)
    ///     ∂col (R, N) = Wᵀ (R, O) · G (O, N);  ∂X = col2im(∂col)
    /// With one output channel ∂col is an outer product (K = 1), never written out: col2im forms
    /// each entry as it adds it (`col2imBatchMinor(outerProductOf:…)`, the same bits).
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        guard let (g, B, x) = cache else { preconditionFailure("Conv2d.backward called before forward") }
        let (O, R, P) = (outputChannels, g.rows, g.columns)
        let N = B * P
        precondition(dy.shape == [O * P, B], "Conv2d.backward: batch-minor output gradient \(dy.shape) should be \([O * P, B])")
        checkParameterShapes()
        return dy.withUnsafeBufferPointer { pg in
            let gt = pg.baseAddress!
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                addChannelSums(gt, channels: O, valuesPerChannel: N, into: db.baseAddress!)
            }
            x.withUnsafeBufferPointer { xt in
                withImplicitColumns(of: xt.baseAddress!, geometry: g, batch: B) { col in
                    weight.gradient.withUnsafeMutableBufferPointer { dw in
                        gemm(transposeA: false, m: O, n: R, k: N, alpha: 1, a: gt, lda: N,
                             columns: col, transposeColumns: true, beta: 1, c: dw.baseAddress!, ldc: R)
                    }
                }
            }
            guard computesInputGradient else { return Tensor(shape: [0]) }
            if O == 1 {
                // ∂col = Wᵀ·G is an outer product: col2im forms its entries as it adds them.
                return weight.value.withUnsafeBufferPointer { w in
                    makeLayerOutput(shape: [g.imageSize, B]) { dx in
                        col2imBatchMinor(outerProductOf: w.baseAddress!, gt, batch: B, geometry: g, into: dx)
                    }
                }
            }
            growScratch(&columnGradient, to: R * N)
            return columnGradient.withUnsafeMutableBufferPointer { dcol in
                weight.value.withUnsafeBufferPointer { w in
                    gemm(transposeA: true, transposeB: false, m: R, n: N, k: O, alpha: 1,
                         a: w.baseAddress!, lda: R, b: gt, ldb: N, beta: 0, c: dcol.baseAddress!, ldc: N)
                }
                return makeLayerOutput(shape: [g.imageSize, B]) { dx in
                    col2imBatchMinor(dcol.baseAddress!, batch: B, geometry: g, into: dx)
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
}
