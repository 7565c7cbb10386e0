/// A fully connected layer: y = x·Wᵀ + b, for a batch x of shape (B, in).
///
/// The weight is (out, in) and the bias (out), PyTorch's layout and `state_dict` names
/// (`weight`, `bias`), so that weights load across unchanged.
///
/// Backward, with g = ∂L/∂y (B, out):
///   ∂L/∂x = g·W (B, in),   ∂L/∂W += gᵀ·x (out, in),   ∂L/∂b += Σ_batch g (out).
/// Each is one GEMM (or a column sum) over the whole batch.
/// - Complexity: B·in·out multiply-adds forward, twice that backward.
public final class Linear: Layer {
    public let inputFeatures: Int
    public let outputFeatures: Int
    /// (out, in)
    public let weight: Parameter
    /// (out), or nil for a layer without bias.
    public let bias: Parameter?
    public var isTraining = true

    /// The input of the last forward pass, (B, in): ∂L/∂W needs it.
    private var input: Tensor?

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
}
