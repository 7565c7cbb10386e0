/// A fully connected layer whose weight is multiplied by a fixed 0/1 mask: y = x·(W ⊙ M)ᵀ + b,
/// the building block of MADE (Germain, Gregor, Murray and Larochelle 2015).
///
/// The mask decides which inputs each output may see. Give every input unit a degree and every
/// output unit one; the connection from input i to output o is kept when
///
///     degree(o) ≥ degree(i)   (a hidden layer: `strict` false)
///     degree(o) > degree(i)   (the output layer: `strict` true)
///
/// so that, chained, output o depends only on inputs of lower degree: the network is
/// autoregressive in the order of the degrees.
///
/// The mask is applied in the forward pass and to the weight's gradient after each backward pass.
/// Masked weights start at zero, their gradients stay zero, so an optimizer never moves them and
/// the stored weight is W ⊙ M itself (a checkpoint holds zeros there). A weight loaded or set with
/// non-zero masked entries has them cleared by the next forward pass. Otherwise it is `Linear`,
/// with PyTorch's layout and names (`weight` (out, in), `bias` (out)).
/// - Complexity: as `Linear`, plus one pass over the weight per forward and per backward.
public final class MaskedLinear: Layer {
    /// The layer whose weight is masked.
    public let linear: Linear
    /// M, (out, in): 1 where a connection is kept, 0 where it is cut.
    public let mask: Tensor
    public var isTraining = true

    /// A masked layer from inputs of `inputDegrees` to outputs of `outputDegrees`, weight and bias
    /// drawn from `random` as `Linear`'s, then the masked weights set to zero.
    public init(inputDegrees: [Int], outputDegrees: [Int], strict: Bool, bias: Bool = true,
                using random: inout RandomSource) throws {
        linear = try Linear(inputFeatures: inputDegrees.count, outputFeatures: outputDegrees.count, bias: bias, using: &random)
        var mask = Tensor(shape: [outputDegrees.count, inputDegrees.count])
        mask.withUnsafeMutableBufferPointer { m in
            for (o, outputDegree) in outputDegrees.enumerated() {
                for (i, inputDegree) in inputDegrees.enumerated() {
                    m[o * inputDegrees.count + i] = (strict ? outputDegree > inputDegree : outputDegree >= inputDegree) ? 1 : 0
                }
            }
        }
        self.mask = mask
        applyMask(to: &linear.weight.value)
    }

    public var parameters: [Parameter] { linear.parameters }
    public var weight: Parameter { linear.weight }
    public var bias: Parameter? { linear.bias }

    /// Zeroes the masked entries of `tensor` (out, in), writing only when one is not zero already
    /// (so a weight that is already masked is not copied).
    private func applyMask(to tensor: inout Tensor) {
        precondition(tensor.shape == mask.shape, "MaskedLinear: a weight \(tensor.shape) against a mask \(mask.shape)")
        let clean = tensor.withUnsafeBufferPointer { t in
            mask.withUnsafeBufferPointer { m in !(0..<t.count).contains { m[$0] == 0 && t[$0] != 0 } }
        }
        guard !clean else { return }
        tensor.withUnsafeMutableBufferPointer { t in
            mask.withUnsafeBufferPointer { m in for i in 0..<t.count where m[i] == 0 { t[i] = 0 } }
        }
    }

    /// (B, in) → (B, out) = x·(W ⊙ M)ᵀ + b.
    public func forward(_ x: Tensor) -> Tensor {
        applyMask(to: &linear.weight.value)
        return linear.forward(x)
    }

    /// ∂L/∂x = g·(W ⊙ M); accumulates ∂L/∂W += (gᵀ·x) ⊙ M and ∂L/∂b += Σ_batch g.
    public func backward(_ dy: Tensor) -> Tensor {
        let dx = linear.backward(dy)
        applyMask(to: &linear.weight.gradient)
        return dx
    }
}

/// The degrees of a MADE (Germain et al. 2015) on D inputs, for `MaskedLinear`'s masks.
enum AutoregressiveDegrees {
    /// The inputs' degrees 1…D in the order `reversed` asks: input i has degree i + 1, or D − i
    /// when reversed. Output i of the network gets its input's degree, so it depends on the inputs
    /// that come before it in this order.
    public static func inputs(_ d: Int, reversed: Bool) -> [Int] {
        (0..<d).map { reversed ? d - $0 : $0 + 1 }
    }

    /// The degrees of H hidden units, cycling through 1…D−1 (1 when D = 1), so that each degree
    /// has about H/(D−1) units. A hidden unit of degree k sees the inputs of degree ≤ k, and an
    /// output of degree i sees the hidden units of degree < i; degree D would reach no output, and
    /// the first output (degree 1) sees none, so it depends on the context alone.
    public static func hidden(_ h: Int, inputs d: Int) -> [Int] {
        let top = max(d - 1, 1)
        return (0..<h).map { $0 % top + 1 }
    }
}
