import Foundation

/// The decoder's likelihood p(x|z): how the 784 numbers the decoder outputs, ℓ (one per pixel),
/// score an image x. One description used everywhere a VAE meets its data: the training loss,
/// the test ELBO, the importance-weighted NLL, the decoder means and sampling.
///
/// - `bernoulli`: x binary, p(x_j = 1 | z) = σ(ℓ_j). Training redraws the grey pixels as coin flips
///   every time it sees an image (dynamic binarization); the test set is binarized once, with a
///   fixed seed. log p(x|z) = −BCE(ℓ, x). The course's default, and the one the papers' MNIST
///   numbers use.
/// - `gaussian`: x grey, x_j ~ N(μ_j, σ²) with μ_j = σ(ℓ_j) and a fixed σ (`sigma`): the loss is
///   a squared error weighted by 1/(2σ²), plus a constant. A smaller σ trusts the pixels more
///   and makes the reconstruction term outweigh the KL.
/// - `gaussian_learned`: the same with a variance v_j per pixel learned with the model, as
///   v_j = v_min + e^{s_j} (the parameter `likelihood.log_variance`, s, shape (1, 28, 28)). The
///   floor v_min = 10⁻⁴ (σ ≥ 0.01) stops the always-black border pixels from shrinking their
///   variance to zero, where their density, and the ELBO, would grow without bound.
///
/// A Gaussian is a *density* over grey values, a Bernoulli a *probability* of binary ones, so
/// their log-likelihoods are in different units: a Gaussian's can be positive, and neither
/// compares with the other or with the binarized-MNIST numbers of papers. All are in nats per
/// image.
public struct Likelihood: Codable, Equatable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case bernoulli, gaussian, gaussianLearned = "gaussian_learned"
    }

    public var type: Kind
    /// The fixed standard deviation of `gaussian`; nil otherwise.
    public var sigma: Double?

    public init(_ type: Kind, sigma: Double? = nil) {
        self.type = type
        self.sigma = sigma
    }

    public static let bernoulli = Likelihood(.bernoulli)
    /// A Gaussian with σ = 0.1, a tenth of the pixel range.
    public static let gaussian = Likelihood(.gaussian, sigma: 0.1)
    public static let learnedGaussian = Likelihood(.gaussianLearned)

    /// The floor v_min of a learned variance.
    public static let minimumVariance: Float = 1e-4
    /// The learned log-variance parameter's start, s = log 0.01: σ ≈ 0.1 for every pixel.
    public static let initialLogVariance: Float = log(0.01)
    /// The name of the learned variance in the `state_dict`.
    public static let parameterName = "likelihood.log_variance"

    /// The likelihood called `name` on the command line: bernoulli, gaussian, gaussian-learned.
    public static func named(_ name: String, sigma: Double? = nil) throws -> Likelihood {
        switch name {
        case "bernoulli": return .bernoulli
        case "gaussian": return Likelihood(.gaussian, sigma: sigma ?? 0.1)
        case "gaussian-learned", "gaussian_learned": return .learnedGaussian
        default: throw VAEConfigurationError("unknown likelihood '\(name)'; choose bernoulli, gaussian or gaussian-learned")
        }
    }

    /// Throws for a σ that is missing, not positive or not finite, or given where it means nothing.
    public func validate() throws {
        switch type {
        case .gaussian:
            guard let sigma, sigma.isFinite, sigma > 0, Float(sigma * sigma).isNormal, Float(1 / (sigma * sigma)).isNormal else {
                throw VAEConfigurationError("a Gaussian likelihood needs a fixed sigma > 0 whose square and its inverse are normal Floats, not \(sigma.map { "\($0)" } ?? "none")")
            }
        case .bernoulli, .gaussianLearned:
            guard sigma == nil else { throw VAEConfigurationError("a \(type.rawValue) likelihood takes no sigma") }
        }
    }

    /// How it reads in a log line: "bernoulli", "gaussian σ=0.1", "gaussian, learned variance".
    public var summary: String {
        switch type {
        case .bernoulli: "bernoulli"
        case .gaussian: "gaussian σ=\(sigma.map { String(format: "%g", $0) } ?? "?")"
        case .gaussianLearned: "gaussian, learned variance per pixel"
        }
    }

    /// Whether the data are binarized: dynamically in training, once for the test set.
    public var binarizesData: Bool { type == .bernoulli }

    /// The images a model with this likelihood is evaluated on: the test set binarized once with
    /// `EvaluationDefaults.binarizationSeed` (Bernoulli), or its grey pixels as they are.
    public func evaluationSet(_ test: MNIST) -> MNIST {
        binarizesData ? test.binarized(seed: EvaluationDefaults.binarizationSeed) : test
    }

    /// The learned log-variance, or nil for a likelihood without parameters.
    func makeParameter() -> Parameter? {
        guard type == .gaussianLearned else { return nil }
        return Parameter(name: Likelihood.parameterName,
                         value: Tensor(shape: Architecture.imageShape,
                                       scalars: [Float](repeating: Likelihood.initialLogVariance, count: 784)))
    }

    /// The variance v_j of each of `count` pixels: σ² (fixed) or v_min + e^{s_j} (learned); nil for
    /// a Bernoulli.
    func pixelVariances(count: Int, parameter: Parameter?) -> [Float]? {
        switch type {
        case .bernoulli: return nil
        case .gaussian: return [Float](repeating: Float(sigma! * sigma!), count: count)
        case .gaussianLearned:
            guard let parameter, parameter.value.count == count else {
                preconditionFailure("a learned Gaussian needs its log-variance of \(count) pixels")
            }
            return parameter.value.scalars.map { Likelihood.minimumVariance + exp($0) }
        }
    }

    /// The decoder's mean image E[x|z] for outputs ℓ of any shape: σ(ℓ), in [0, 1], for every kind.
    public func mean(_ output: Tensor) -> Tensor {
        output.map { StableMath.sigmoid($0) }
    }

    /// The most probable image under p(x|z): each pixel 1 where σ(ℓ) ≥ ½, else 0 (Bernoulli), or
    /// the mean (a Gaussian's mode). What a classifier trained on real, nearly binary digits should
    /// judge: a blurry mean of many digits is out of its distribution.
    public func mode(_ output: Tensor) -> Tensor {
        binarizesData ? output.map { $0 >= 0 ? 1 : 0 } : mean(output)
    }

    /// x ~ p(x|z) for each pixel: 0/1 coin flips (Bernoulli), or μ + σε clamped to [0, 1] (Gaussian).
    public func draw(_ output: Tensor, parameter: Parameter?, using random: inout RandomSource) -> Tensor {
        let means = mean(output)
        let pixels = output.count / max(output.shape[0], 1)
        guard let variances = pixelVariances(count: pixels, parameter: parameter) else {
            return Tensor(shape: means.shape, scalars: means.scalars.map { random.uniform() < $0 ? 1 : 0 })
        }
        let noise = Tensor.gaussian(means.shape, using: &random)
        var scalars = means.scalars
        for i in scalars.indices {
            scalars[i] = min(1, max(0, scalars[i] + variances[i % pixels].squareRoot() * noise.scalars[i]))
        }
        return Tensor(shape: means.shape, scalars: scalars)
    }

    /// The training loss −log p(x|z), summed over pixels and averaged over the batch (nats per
    /// image), and its gradient with respect to the outputs ℓ (B, 1, 28, 28). A learned variance's
    /// gradient is **accumulated** into `parameter`.
    ///
    /// Gaussian, per pixel, with μ = σ(ℓ) and variance v:
    ///
    ///     −log N(x; μ, v) = ½ [(x − μ)²/v + log v + log 2π]
    ///     ∂/∂ℓ = (μ − x)/v · μ(1 − μ)                 (σ′ = σ(1 − σ))
    ///     ∂/∂s = ½ [1/v − (x − μ)²/v²] · e^s           (v = v_min + e^s)
    ///
    /// each divided by B for the batch mean. The Bernoulli is `binaryCrossEntropyWithLogits`.
    /// - Throws: `LossError` for different or empty shapes, or a Bernoulli target outside [0, 1].
    public func loss(output: Tensor, targets: Tensor, parameter: Parameter?) throws -> LossResult {
        if type == .bernoulli {
            return try binaryCrossEntropyWithLogits(logits: output, targets: targets, reduction: .sumPerSample)
        }
        try LossError.requireSameShape("Likelihood.loss", "output", output, "targets", targets)
        let batch = output.shape[0], pixels = output.count / batch
        let variances = pixelVariances(count: pixels, parameter: parameter)!
        let scale = 1 / Float(batch)
        var total = 0.0
        var varianceGradient = [Double](repeating: 0, count: pixels)
        let constant = log(2 * Double.pi)
        var gradient = Tensor(shape: output.shape)
        output.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { x in
                gradient.withUnsafeMutableBufferPointer { g in
                    for n in 0..<batch {
                        for j in 0..<pixels {
                            let i = n * pixels + j
                            let mu = StableMath.sigmoid(l[i]), v = variances[j]
                            let residual = x[i] - mu
                            total += 0.5 * (Double(residual * residual / v) + Double(log(v)) + constant)
                            g[i] = scale * (mu - x[i]) / v * (mu * (1 - mu))
                            varianceGradient[j] += 0.5 * Double(1 / v - residual * residual / (v * v))
                        }
                    }
                }
            }
        }
        if type == .gaussianLearned, let parameter {
            parameter.gradient.withUnsafeMutableBufferPointer { ds in
                parameter.value.withUnsafeBufferPointer { s in
                    for j in 0..<pixels { ds[j] += Float(varianceGradient[j]) * exp(s[j]) * scale }
                }
            }
        }
        return LossResult(value: total / Double(batch), gradient: gradient)
    }

    /// The per-image log-likelihood, prepared once per evaluation (the variances computed once).
    func prepared(pixels: Int, parameter: Parameter?) -> PreparedLikelihood {
        PreparedLikelihood(kind: type, variances: pixelVariances(count: pixels, parameter: parameter))
    }
}

/// log p(x|z) of one image at a time, with the variances computed once: what the test ELBO and the
/// importance-weighted bound call per image and per sample. No allocation per call.
struct PreparedLikelihood: Sendable {
    let kind: Likelihood.Kind
    /// 1/v_j per pixel (Gaussian).
    let inverseVariances: [Float]
    /// −½ Σ_j (log v_j + log 2π): the part of a Gaussian's log-density that does not depend on x.
    let logNormaliser: Double

    init(kind: Likelihood.Kind, variances: [Float]?) {
        self.kind = kind
        inverseVariances = variances?.map { 1 / $0 } ?? []
        logNormaliser = -0.5 * (variances ?? []).reduce(0.0) { $0 + Double(log($1)) + log(2 * Double.pi) }
    }

    /// log p(x|z) for the `count` outputs ℓ and targets x of one image.
    /// - Complexity: `count` exponentials (and logarithms for the Bernoulli).
    @inline(__always)
    func logLikelihood(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double {
        if kind == .bernoulli { return bernoulliLogLikelihood(logits: output, targets: targets, count: count) }
        return inverseVariances.withUnsafeBufferPointer { w in
            var squares = 0.0
            for j in 0..<count {
                let r = targets[j] - StableMath.sigmoid(output[j])
                squares += Double(r * r * w[j])
            }
            return logNormaliser - 0.5 * squares
        }
    }
}
