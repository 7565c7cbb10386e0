import Foundation

extension Likelihood.Kind {
    static let continuousBernoulli = Self(declaring: "continuous_bernoulli")
}

extension Likelihood {
    static let continuousBernoulli = Likelihood(.continuousBernoulli)
}

/// The **continuous Bernoulli** (Loaiza-Ganem and Cunningham 2019, "The continuous Bernoulli:
/// fixing a pervasive error in variational autoencoders"): grey pixels x ∈ [0, 1] scored by the
/// Bernoulli's formula, normalised into a density on [0, 1]. Training on grey MNIST with the BCE
/// (as many VAEs do) uses λ^x (1 − λ)^{1−x} as if it were a density, and it is not one: its
/// integral over [0, 1] depends on λ. With λ = σ(ℓ):
///
///     p(x|λ) = C(λ) λ^x (1 − λ)^{1−x},    C(λ) = 2 artanh(1 − 2λ) / (1 − 2λ)  (2 at λ = ½)
///
/// ## In terms of ℓ
/// 1 − 2σ(ℓ) = −tanh(ℓ/2), so artanh(1 − 2λ) = −ℓ/2 and C = ℓ / tanh(ℓ/2), even in ℓ; and
/// x log λ + (1 − x) log(1 − λ) = xℓ − softplus(ℓ) = −BCE(ℓ, x), with
/// BCE = max(ℓ, 0) − ℓx + log1p(e^{−a}), a = |ℓ|. As tanh(a/2) = (1 − e^{−a}) / (1 + e^{−a}),
/// log C = log a − log(1 − e^{−a}) + log1p(e^{−a}), whose last term cancels the BCE's:
///
///     −log p(x|ℓ) = BCE(ℓ, x) − log C = max(ℓ, 0) − ℓx + log((1 − e^{−a}) / a)
///
/// with 1 − e^{−a} = −expm1(−a) exact to rounding, (1 − e^{−a})/a ∈ (0, 1), and no exponent
/// above 0: finite at any ℓ, one expm1 and one log per pixel.
///
/// ## The gradient, by hand
/// ∂BCE/∂ℓ = σ(ℓ) − x. For ℓ > 0, log C = log ℓ − log tanh(ℓ/2), and
///
///     ∂log C/∂ℓ = 1/ℓ − ½ sech²(ℓ/2) / tanh(ℓ/2) = 1/ℓ − 1/(2 sinh(ℓ/2) cosh(ℓ/2)) = 1/ℓ − 1/sinh ℓ
///
/// (odd in ℓ, as log C is even, so the same for ℓ < 0). Hence
///
///     ∂(−log p)/∂ℓ = σ(ℓ) + 1/sinh ℓ − 1/ℓ − x = 1/(1 − e^{−ℓ}) − 1/ℓ − x = E[x|ℓ] − x
///
/// since, with e = e^{−ℓ}, σ(ℓ) + 1/sinh ℓ = 1/(1 + e) + 2e/(1 − e²) = (1 + e)/(1 − e²) =
/// 1/(1 − e). (The continuous Bernoulli is an exponential family with natural parameter ℓ and
/// statistic x, whose log-normaliser's derivative is the mean: the same result.) Divided by B for
/// the batch mean. With q = expm1(−a): 1/(1 − e^{−ℓ}) = −1/q for ℓ > 0 and (1 + q)/q for ℓ < 0.
///
/// ## Near λ = ½
/// (1 − e^{−a})/a and 1/(1 − e^{−ℓ}) − 1/ℓ lose digits as ℓ → 0 (0/0 at 0). Where
/// λ ∈ (0.499, 0.501), PyTorch's `ContinuousBernoulli` window (|ℓ| < log(0.501/0.499) ≈ 0.004),
/// their Taylor series replace them (log(sinh u / u) = u²/6 − u⁴/180 + …, u = a/2):
///
///     log((1 − e^{−a})/a) ≈ −a/2 + a²/24 − a⁴/2880,   E[x|ℓ] ≈ ½ + ℓ/12 − ℓ³/720
///
/// (log C ≈ log 2 + ℓ²/12 − 7ℓ⁴/1440, PyTorch's log 2 + 4/3·δ² + 104/45·δ⁴ in δ = λ − ½), whose
/// next terms are below 10⁻¹¹ of the value there.
///
/// ## Mean, mode, draw
/// - E[x] = λ/(2λ − 1) + 1/(2 artanh(1 − 2λ)) = 1/(1 − e^{−ℓ}) − 1/ℓ (½ at λ = ½): the useful
///   image, and what the samples and reconstructions show.
/// - The mode: the density is monotone in x (increasing for λ > ½, decreasing for λ < ½), so the
///   most probable value is 1 or 0: `mode` gives 1 where ℓ > 0, 0 where ℓ < 0, and ½ at ℓ = 0,
///   where every x is as probable. A binary image, not a likely-looking one: use the mean.
/// - A draw inverts the CDF F(x) = (λ^x (1 − λ)^{1−x} + λ − 1)/(2λ − 1) at a uniform u:
///   x = log1p(u·expm1(ℓ))/ℓ, written x = 1 + log(u + (1 − u)e^{−ℓ})/ℓ for ℓ > 0 (no overflow), and
///   u + u(1 − u)ℓ/2 near ℓ = 0.
///
/// The data are not binarized. Terms are computed in Double per pixel, summed in Double; the
/// targets must lie in [0, 1].
final class ContinuousBernoulliLikelihood: PixelLikelihood {
    public static let kind = Likelihood.Kind.continuousBernoulli
    static let commandLineName = "continuous-bernoulli"
    public static let commandLineHelp = "grey pixels, the Bernoulli normalised on [0, 1]"
    public static let binarizesData = false
    public static let diagramLine = "p(x|z) = continuous Bernoulli(sigmoid(ℓ))"

    public static func summary(_ configuration: Likelihood) -> String { "continuous bernoulli" }

    /// |ℓ| below which the Taylor series stand in: λ ∈ (0.499, 0.501).
    static let taylorLimit = log(0.501 / 0.499)

    public let configuration: Likelihood

    public init(_ configuration: Likelihood, parameters: [Parameter]) {
        self.configuration = configuration
    }

    /// log((1 − e^{−a})/a) (a = |ℓ|), the part of −log p(x|ℓ) that is not linear in x or ℓ, and
    /// the mean E[x|ℓ].
    @inline(__always)
    static func normaliserAndMean(_ l: Double) -> (normaliser: Double, mean: Double) {
        let a = abs(l)
        if a < taylorLimit {
            let a2 = a * a
            return (-a / 2 + a2 / 24 - a2 * a2 / 2880, 0.5 + l / 12 - l * l * l / 720)
        }
        let q = expm1(-a)                                    // −(1 − e^{−a})
        return (log(-q / a), (l > 0 ? -1 / q : (1 + q) / q) - 1 / l)
    }

    /// −log p(x|ℓ) of one pixel and its derivative with respect to ℓ, E[x|ℓ] − x.
    @inline(__always)
    static func negativeLogDensity(_ l: Double, _ x: Double) -> (value: Double, derivative: Double) {
        let (normaliser, mean) = normaliserAndMean(l)
        return (max(l, 0) - l * x + normaliser, mean - x)
    }

    public func loss(output: Tensor, targets: Tensor) throws -> LossResult {
        try LossError.requireSameShape("Likelihood.loss", "output", output, "targets", targets)
        if let bad = targetOutsideUnitInterval(targets) {
            throw LossError("Likelihood.loss: a continuous Bernoulli's targets must lie in [0, 1], found \(bad)")
        }
        let batch = output.shape[0]
        let scale = 1 / Double(batch)
        var total = 0.0
        var gradient = Tensor(shape: output.shape)
        output.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { x in
                gradient.withUnsafeMutableBufferPointer { g in
                    for i in 0..<l.count {
                        let (value, derivative) = Self.negativeLogDensity(Double(l[i]), Double(x[i]))
                        total += value
                        g[i] = Float(derivative * scale)
                    }
                }
            }
        }
        return LossResult(value: total / Double(batch), gradient: gradient)
    }

    public func prepared(pixels: Int) -> PreparedLikelihood { PreparedContinuousBernoulli() }

    public func codeLosses(logits: Tensor, targets: Tensor, negativeLogLikelihoods: inout [Double]) throws -> Tensor {
        if let bad = targetOutsideUnitInterval(targets) {
            throw VAEConfigurationError("the targets must lie in [0, 1], found \(bad)")
        }
        let scale = 1 / Double(targets.shape[1])
        return elementwiseCodeLosses(logits: logits, targets: targets, negativeLogLikelihoods: &negativeLogLikelihoods) { l, x, _ in
            let (value, derivative) = Self.negativeLogDensity(Double(l), Double(x))
            return (value, Float(derivative * scale))
        }
    }

    /// E[x|z] = 1/(1 − e^{−ℓ}) − 1/ℓ per pixel.
    public func mean(_ output: Tensor) -> Tensor { output.map { Float(Self.normaliserAndMean(Double($0)).mean) } }

    /// 1 where ℓ > 0, 0 where ℓ < 0, ½ at ℓ = 0 (see the type's notes: the mean is the useful image).
    public func mode(_ output: Tensor) -> Tensor { output.map { $0 > 0 ? 1 : ($0 < 0 ? 0 : 0.5) } }

    /// The inverse CDF at one uniform draw per pixel.
    public func draw(_ output: Tensor, using random: inout RandomSource) -> Tensor {
        output.map { value in
            let l = Double(value), u = Double(random.uniform())
            let x: Double
            if abs(l) < Self.taylorLimit {
                x = u + u * (1 - u) * l / 2
            } else if l > 0 {
                x = 1 + log(u + (1 - u) * exp(-l)) / l
            } else {
                x = log1p(u * expm1(l)) / l
            }
            return Float(min(1, max(0, x)))
        }
    }

    /// x log λ + (1 − x) log(1 − λ) + log C(λ) with λ = 1/(1 + e^{−ℓ}) and
    /// C(λ) = 2 artanh(1 − 2λ)/(1 − 2λ), term by term as the paper writes it (C = 2 at λ = ½);
    /// for |ℓ| up to about 30, where λ is not rounded to 1.
    public func referenceLogLikelihood(output: [Float], targets: [Float]) -> Double {
        var total = 0.0
        for (l, x) in zip(output.map(Double.init), targets.map(Double.init)) {
            let lambda = 1 / (1 + exp(-l))
            let c = lambda == 0.5 ? 2 : 2 * atanh(1 - 2 * lambda) / (1 - 2 * lambda)
            total += x * log(lambda) + (1 - x) * log(1 - lambda) + log(c)
        }
        return total
    }
}

/// Σ_j log p(x_j|ℓ_j) of one image, in Double.
struct PreparedContinuousBernoulli: PreparedPixelLikelihood {
    func logLikelihood(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double {
        var total = 0.0
        for j in 0..<count { total -= ContinuousBernoulliLikelihood.negativeLogDensity(Double(output[j]), Double(targets[j])).value }
        return total
    }
}
