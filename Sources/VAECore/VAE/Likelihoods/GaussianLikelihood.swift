import Foundation

extension Likelihood.Kind {
    public static let gaussian = Self(declaring: "gaussian")
}

extension Likelihood {
    /// A Gaussian with σ = 0.1, a tenth of the pixel range.
    public static let gaussian = Likelihood(.gaussian, sigma: 0.1)
}

/// x grey, x_j ~ N(μ_j, σ²) with μ_j = σ(ℓ_j) and a fixed σ (`Likelihood.sigma`): the loss is a
/// squared error weighted by 1/(2σ²), plus a constant. A smaller σ trusts the pixels more and
/// makes the reconstruction term outweigh the KL. The arithmetic is `GaussianPixelLikelihood`'s,
/// shared with the learned variance.
final class GaussianLikelihood: GaussianPixelLikelihood {
    public static let kind = Likelihood.Kind.gaussian
    static let commandLineName = "gaussian"
    public static let commandLineHelp = "grey pixels, fixed σ"
    public static let binarizesData = false

    /// Throws for a σ that is missing, not positive or not finite, or whose square or its inverse
    /// is not a normal Float.
    public static func validate(_ configuration: Likelihood) throws {
        guard let sigma = configuration.sigma, sigma.isFinite, sigma > 0, Float(sigma * sigma).isNormal, Float(1 / (sigma * sigma)).isNormal else {
            throw VAEConfigurationError("a Gaussian likelihood needs a fixed sigma > 0 whose square and its inverse are normal Floats, not \(configuration.sigma.map { "\($0)" } ?? "none")")
        }
    }

    public static func summary(_ configuration: Likelihood) -> String {
        "gaussian σ=\(configuration.sigma.map { String(format: "%g", $0) } ?? "?")"
    }

    /// σ = 0.1 unless given.
    public static func commandLineConfiguration(sigma: Double?) -> Likelihood { Likelihood(kind, sigma: sigma ?? 0.1) }

    public let configuration: Likelihood

    public init(_ configuration: Likelihood, parameters: [Parameter]) {
        self.configuration = configuration
    }

    /// σ² for every pixel.
    func pixelVariances(count: Int) -> [Float] {
        [Float](repeating: Float(configuration.sigma! * configuration.sigma!), count: count)
    }
}

/// A Gaussian N(σ(ℓ_j), v_j) of each pixel: the arithmetic of the fixed and the learned variance,
/// given each pixel's v_j (`pixelVariances`).
///
/// Per pixel, with μ = σ(ℓ) and variance v:
///
///     −log N(x; μ, v) = ½ [(x − μ)²/v + log v + log 2π]
///     ∂/∂ℓ = (μ − x)/v · μ(1 − μ)                 (σ′ = σ(1 − σ))
///     ∂/∂v = ½ [1/v − (x − μ)²/v²]
///
/// each divided by B for the batch mean.
protocol GaussianPixelLikelihood: PixelLikelihood {
    /// The variance v_j of each of `count` pixels.
    func pixelVariances(count: Int) -> [Float]
    /// Accumulates the loss's ∂/∂v_j, scaled (Σ over the batch of ½ [1/v − (x − μ)²/v²], in
    /// Double, per pixel) into the parameters; nothing for a fixed variance.
    func accumulateVarianceGradient(_ varianceGradient: [Double], scale: Float)
}

extension GaussianPixelLikelihood {
    func accumulateVarianceGradient(_ varianceGradient: [Double], scale: Float) {}

    public func loss(output: Tensor, targets: Tensor) throws -> LossResult {
        try LossError.requireSameShape("Likelihood.loss", "output", output, "targets", targets)
        let batch = output.shape[0], pixels = output.count / batch
        let variances = pixelVariances(count: pixels)
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
        accumulateVarianceGradient(varianceGradient, scale: scale)
        return LossResult(value: total / Double(batch), gradient: gradient)
    }

    public func prepared(pixels: Int) -> PreparedLikelihood { PreparedGaussian(variances: pixelVariances(count: pixels)) }

    /// The loss's terms and gradients, code by code (the same arithmetic per pixel).
    public func codeLosses(logits: Tensor, targets: Tensor, negativeLogLikelihoods: inout [Double]) throws -> Tensor {
        let variances = pixelVariances(count: logits.shape[0])
        let scale = 1 / Float(targets.shape[1])
        let constant = log(2 * Double.pi)
        return elementwiseCodeLosses(logits: logits, targets: targets, negativeLogLikelihoods: &negativeLogLikelihoods) { l, x, j in
            let mu = StableMath.sigmoid(l), v = variances[j]
            let residual = x - mu
            return (0.5 * (Double(residual * residual / v) + Double(log(v)) + constant), scale * (mu - x) / v * (mu * (1 - mu)))
        }
    }

    /// Σ_r weights[r]·½ [1/v − (x − μ_r)²/v²] per pixel, in code order, then as the loss.
    public func accumulateCodeParameterGradients(logits: Tensor, targets: Tensor, weights: [Double]) {
        let (pixels, codes, b) = (logits.shape[0], logits.shape[1], targets.shape[1])
        let variances = pixelVariances(count: pixels)
        var varianceGradient = [Double](repeating: 0, count: pixels)
        logits.withUnsafeBufferPointer { l in
            targets.withUnsafeBufferPointer { x in
                for j in 0..<pixels {
                    let v = variances[j]
                    for r in 0..<codes {
                        let residual = x[j * b + r % b] - StableMath.sigmoid(l[j * codes + r])
                        varianceGradient[j] += weights[r] * (0.5 * Double(1 / v - residual * residual / (v * v)))
                    }
                }
            }
        }
        accumulateVarianceGradient(varianceGradient, scale: 1 / Float(b))
    }

    /// μ + σε per pixel, clamped to [0, 1].
    public func draw(_ output: Tensor, using random: inout RandomSource) -> Tensor {
        let means = mean(output)
        let pixels = output.count / max(output.shape[0], 1)
        let variances = pixelVariances(count: pixels)
        let noise = Tensor.gaussian(means.shape, using: &random)
        var scalars = means.scalars
        for i in scalars.indices {
            scalars[i] = min(1, max(0, scalars[i] + variances[i % pixels].squareRoot() * noise.scalars[i]))
        }
        return Tensor(shape: means.shape, scalars: scalars)
    }

    public func referenceLogLikelihood(output: [Float], targets: [Float]) -> Double {
        gaussianLogLikelihoodReference(means: output.map { StableMath.sigmoid(Double($0)) },
                                       variances: pixelVariances(count: output.count).map(Double.init), targets: targets)
    }
}

/// A Gaussian's log-density of one image, its variances' inverses and normaliser computed once.
struct PreparedGaussian: PreparedPixelLikelihood {
    /// 1/v_j per pixel.
    let inverseVariances: [Float]
    /// −½ Σ_j (log v_j + log 2π): the part of the log-density that does not depend on x.
    let logNormaliser: Double

    init(variances: [Float]) {
        inverseVariances = variances.map { 1 / $0 }
        logNormaliser = -0.5 * variances.reduce(0.0) { $0 + Double(log($1)) + log(2 * Double.pi) }
    }

    /// - Complexity: `count` exponentials.
    @inline(__always)
    func logLikelihood(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double {
        inverseVariances.withUnsafeBufferPointer { w in
            var squares = 0.0
            for j in 0..<count {
                let r = targets[j] - StableMath.sigmoid(output[j])
                squares += Double(r * r * w[j])
            }
            return logNormaliser - 0.5 * squares
        }
    }
}
