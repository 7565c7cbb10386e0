/// A fully connected layer: y = x·Wᵀ + b, for a batch x of shape (B, in).
///
/// The weight is (out, in) and the bias (out), PyTorch's layout and `state_dict` names
/// (`weight`, `bias`), so that weights load across unchanged.
///
/// Backward, with g = ∂L/∂y (B, out):
///   ∂L/∂x = g·W (B, in),   ∂L/∂W += gᵀ·x (out, in),   ∂L/∂b += Σ_batch g (out).
/// Each is one GEMM (or a column sum) over the whole batch. On batch-minor activations
/// (`forwardBatchMinor`: xᵀ (in, B) → yᵀ (out, B)) the same GEMMs run with their operands swapped,
/// yᵀ = W·xᵀ + b, and each element of every result is the same chain of multiply-adds, so the
/// two layouts give the same bits.
/// - Complexity: B·in·out multiply-adds forward, twice that backward.
public final class Linear: BatchMinorLayer {
    public let inputFeatures: Int
    public let outputFeatures: Int
    /// (out, in)
    public let weight: Parameter
    /// (out), or nil for a layer without bias.
    public let bias: Parameter?
    public var isTraining = true

    /// The input of the last forward pass, (B, in), or xᵀ (in, B) in batch-minor: ∂L/∂W needs it.
    private var input: Tensor?
    /// Whether `input` is batch-minor.
    private var inputIsBatchMinor = false

    /// A layer from `inputFeatures` to `outputFeatures`, its weight (then bias) drawn from `random`.
    public init(inputFeatures: Int, outputFeatures: Int, bias: Bool = true,
                initialization: Initialization = .pytorchDefault, using random: inout RandomSource) throws {
        guard inputFeatures > 0, outputFeatures > 0 else {
            throw LayerConfigurationError("Linear(\(inputFeatures) → \(outputFeatures)) needs positive sizes")
        }
        self.inputFeatures = inputFeatures
        self.outputFeatures = outputFeatures
        let shape = [outputFeatures, inputFeatures]
        weight = Parameter(name: "weight", value: initialization.weight(shape: shape, using: &random))
        self.bias = bias
            ? Parameter(name: "bias", value: initialization.bias(count: outputFeatures, weightShape: shape, using: &random))
            : nil
    }

    public var parameters: [Parameter] { bias.map { [weight, $0] } ?? [weight] }

    private func checkParameterShapes() {
        requireParameterShape(weight, [outputFeatures, inputFeatures], in: "Linear")
        requireParameterShape(bias, [outputFeatures], in: "Linear")
    }

    /// (B, in) → (B, out); throws for any other input shape.
    public func outputShape(forInput shape: [Int]) throws -> [Int] {
        guard shape.count == 2, shape[0] > 0, shape[1] == inputFeatures else {
            throw LayerConfigurationError("Linear(\(inputFeatures) → \(outputFeatures)) expects (B, \(inputFeatures)), got \(shape)")
        }
        return [shape[0], outputFeatures]
    }

    public func forward(_ x: Tensor) -> Tensor {
        let outShape = requireShape { try outputShape(forInput: x.shape) }
        checkParameterShapes()
        let (B, I, O) = (x.shape[0], inputFeatures, outputFeatures)
        input = x
        inputIsBatchMinor = false
        return makeLayerOutput(shape: outShape) { y in  // (B, O)
            // Start every row at the bias, then add x·Wᵀ onto it (β = 1).
            if let bias {
                bias.value.withUnsafeBufferPointer { b in
                    for n in 0..<B { (y + n * O).update(from: b.baseAddress!, count: O) }
                }
            }
            x.withUnsafeBufferPointer { px in
                weight.value.withUnsafeBufferPointer { w in
                    gemm(transposeA: false, transposeB: true, m: B, n: O, k: I, alpha: 1,
                         a: px.baseAddress!, lda: I, b: w.baseAddress!, ldb: I,
                         beta: bias == nil ? 0 : 1, c: y, ldc: O)
                }
            }
        }
    }

    public func backward(_ dy: Tensor) -> Tensor {
        guard let x = input else { preconditionFailure("Linear.backward called before forward") }
        if inputIsBatchMinor {   // a batch-minor forward pass (a chain's), backward called on its own
            return batchMajor(backwardBatchMinor(batchMinor(dy)), sampleShape: [inputFeatures])
        }
        let (B, I, O) = (x.shape[0], inputFeatures, outputFeatures)
        precondition(dy.shape == [B, O], "Linear.backward: output gradient \(dy.shape) should be \([B, O])")
        checkParameterShapes()
        return dy.withUnsafeBufferPointer { g in
            let g = g.baseAddress!
            // ∂L/∂W (O, I) += gᵀ (O, B) · x (B, I)
            x.withUnsafeBufferPointer { px in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    gemm(transposeA: true, transposeB: false, m: O, n: I, k: B, alpha: 1,
                         a: g, lda: O, b: px.baseAddress!, ldb: I, beta: 1, c: dw.baseAddress!, ldc: I)
                }
            }
            // ∂L/∂b (O) += Σ_n g[n, :]
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                for n in 0..<B {
                    let row = g + n * O
                    for o in 0..<O { db[o] += row[o] }
                }
            }
            // ∂L/∂x (B, I) = g (B, O) · W (O, I)
            return makeLayerOutput(shape: [B, I]) { dx in
                weight.value.withUnsafeBufferPointer { w in
                    gemm(transposeA: false, transposeB: false, m: B, n: I, k: O, alpha: 1,
                         a: g, lda: O, b: w.baseAddress!, ldb: I, beta: 0, c: dx, ldc: I)
                }
            }
        }
    }

    // MARK: Batch-minor

    /// (in) → (out).
    public func outputSampleShape(forInput shape: [Int]) -> [Int] {
        precondition(shape == [inputFeatures], "Linear(\(inputFeatures) → \(outputFeatures)) expects samples of \([inputFeatures]), got \(shape)")
        return [outputFeatures]
    }

    /// xᵀ (in, B) → yᵀ (out, B) = W·xᵀ + b: every row starts at its bias, then W·xᵀ is added (β = 1).
    public func forwardBatchMinor(_ x: Tensor, sampleShape: [Int]) -> Tensor {
        _ = outputSampleShape(forInput: sampleShape)
        precondition(x.rank == 2 && x.shape[0] == inputFeatures && x.shape[1] > 0,
                     "Linear: a batch-minor input must be (\(inputFeatures), B), got \(x.shape)")
        checkParameterShapes()
        let (B, I, O) = (x.shape[1], inputFeatures, outputFeatures)
        input = x
        inputIsBatchMinor = true
        return makeLayerOutput(shape: [O, B]) { y in
            if let bias {
                bias.value.withUnsafeBufferPointer { b in
                    for o in 0..<O { (y + o * B).update(repeating: b[o], count: B) }
                }
            }
            x.withUnsafeBufferPointer { px in
                weight.value.withUnsafeBufferPointer { w in
                    gemm(transposeA: false, transposeB: false, m: O, n: B, k: I, alpha: 1,
                         a: w.baseAddress!, lda: I, b: px.baseAddress!, ldb: B,
                         beta: bias == nil ? 0 : 1, c: y, ldc: B)
                }
            }
        }
    }

    /// ∂L/∂yᵀ (out, B) → ∂L/∂xᵀ (in, B); accumulates ∂W += gᵀ·x and ∂b += Σ_batch g, in the
    /// order of the NCHW pass.
    public func backwardBatchMinor(_ dy: Tensor) -> Tensor {
        guard let xt = input else { preconditionFailure("Linear.backward called before forward") }
        if !inputIsBatchMinor {  // an NCHW forward pass, backward called in batch-minor
            return batchMinor(backward(batchMajor(dy, sampleShape: [outputFeatures])))
        }
        let (B, I, O) = (xt.shape[1], inputFeatures, outputFeatures)
        precondition(dy.shape == [O, B], "Linear.backward: batch-minor output gradient \(dy.shape) should be \([O, B])")
        checkParameterShapes()
        return dy.withUnsafeBufferPointer { g in
            let g = g.baseAddress!
            // ∂L/∂W (O, I) += gᵀ (O, B) · x (B, I), x read from xᵀ (I, B)
            xt.withUnsafeBufferPointer { px in
                weight.gradient.withUnsafeMutableBufferPointer { dw in
                    gemm(transposeA: false, transposeB: true, m: O, n: I, k: B, alpha: 1,
                         a: g, lda: B, b: px.baseAddress!, ldb: B, beta: 1, c: dw.baseAddress!, ldc: I)
                }
            }
            // ∂L/∂b (O) += Σ_n g[:, n], image by image as the NCHW pass adds them
            bias?.gradient.withUnsafeMutableBufferPointer { db in
                for o in 0..<O {
                    let row = g + o * B
                    var total = db[o]
                    for n in 0..<B { total += row[n] }
                    db[o] = total
                }
            }
            // ∂L/∂xᵀ (I, B) = Wᵀ (I, O) · gᵀ (O, B)
            return makeLayerOutput(shape: [I, B]) { dx in
                weight.value.withUnsafeBufferPointer { w in
                    gemm(transposeA: true, transposeB: false, m: I, n: B, k: O, alpha: 1,
                         a: w.baseAddress!, lda: I, b: g, ldb: B, beta: 0, c: dx, ldc: B)
                }
            }
        }
    }
}
