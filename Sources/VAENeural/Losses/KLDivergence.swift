import Foundation

/// KL(N(μ, σ²) ‖ N(0, I)) and its gradients with respect to μ and log σ².
public struct KLDivergenceResult: Sendable {
    /// The reduced divergence, in nats.
    public var value: Double
    /// ∂value/∂μ, shape (N, D).
    package var meanGradient: Tensor
    /// ∂value/∂(log σ²), shape (N, D).
    package var logVarianceGradient: Tensor

    package init(value: Double, meanGradient: Tensor, logVarianceGradient: Tensor) {
        self.value = value
        self.meanGradient = meanGradient
        self.logVarianceGradient = logVarianceGradient
    }
}

/// The KL divergence of each sample and of each latent dimension, unreduced.
public struct KLDivergenceBreakdown: Sendable {
    /// KL of each sample, summed over its D latent dimensions: (N) values, in nats.
    package var perSample: [Double]
    /// KL of each latent dimension, averaged over the N samples: (D) values, in nats per sample.
    /// A dimension near 0 is unused by the encoder ("posterior collapse" of that dimension).
    public var perDimension: [Double]
    /// The (N, D) terms, one per sample and dimension.
    public var terms: Tensor
    /// Σ of every term divided by N, which equals both `perSample`'s mean and `perDimension`'s sum.
    var totalPerSample: Double
}

/// KL(N(μ, diag σ²) ‖ N(0, I)) for a batch of diagonal Gaussians in the log-variance
/// parameterisation (the VAE encoder outputs μ and log σ², which may be any real number).
///
/// Per sample and dimension, KL(N(μ, σ²) ‖ N(0, 1)) = ½(μ² + σ² − 1 − log σ²), so
///
///     KL = −½ Σ (1 + log σ² − μ² − e^{log σ²}),
///
/// each term ≥ 0 and 0 exactly at μ = 0, log σ² = 0. The terms are computed in Double as
/// ½(μ² + expm1(log σ²) − log σ²): `expm1` keeps the digits of e^{v} − 1 − v for small v.
///
/// Gradients (per term, then divided by the reduction's divisor):
///     ∂/∂μ = μ,    ∂/∂(log σ²) = ½(e^{log σ²} − 1).
///
/// - Parameters:
///   - mean: μ, shape (N, D).
///   - logVariance: log σ², shape (N, D).
///   - reduction: `.sum` (all N·D terms), `.mean` (÷ N·D) or `.sumPerSample` (÷ N: nats per
///     sample, the VAE convention).
/// - Throws: `LossError` for different, empty or non-(N, D) shapes.
public func klDivergenceStandardNormal(mean: Tensor, logVariance: Tensor, reduction: Reduction) throws -> KLDivergenceResult {
    try requireLatentShapes(mean, logVariance)
    let scale = 1 / reduction.divisor(termCount: mean.count, batchSize: mean.shape[0])
    var dMean = Tensor(shape: mean.shape)
    var dLogVariance = Tensor(shape: mean.shape)
    var total = 0.0
    mean.withUnsafeBufferPointer { mu in
        logVariance.withUnsafeBufferPointer { lv in
            dMean.withUnsafeMutableBufferPointer { gm in
                dLogVariance.withUnsafeMutableBufferPointer { gv in
                    for i in 0..<mu.count {
                        let m = Double(mu[i]), v = Double(lv[i])
                        let em1 = expm1(v)
                        total += 0.5 * (m * m + em1 - v)
                        gm[i] = Float(m * scale)
                        gv[i] = Float(0.5 * em1 * scale)
                    }
                }
            }
        }
    }
    return KLDivergenceResult(value: total * scale, meanGradient: dMean, logVarianceGradient: dLogVariance)
}

/// The terms of `klDivergenceStandardNormal` per sample and per latent dimension.
/// - Throws: `LossError` for different, empty or non-(N, D) shapes.
package func klDivergenceBreakdown(mean: Tensor, logVariance: Tensor) throws -> KLDivergenceBreakdown {
    try requireLatentShapes(mean, logVariance)
    let (n, d) = (mean.shape[0], mean.shape[1])
    var perSample = [Double](repeating: 0, count: n)
    var perDimension = [Double](repeating: 0, count: d)
    var terms = Tensor(shape: [n, d])
    for i in 0..<n {
        for j in 0..<d {
            let m = Double(mean.scalars[i * d + j]), v = Double(logVariance.scalars[i * d + j])
            let term = 0.5 * (m * m + expm1(v) - v)
            terms.scalars[i * d + j] = Float(term)
            perSample[i] += term
            perDimension[j] += term
        }
    }
    for j in 0..<d { perDimension[j] /= Double(n) }
    return KLDivergenceBreakdown(perSample: perSample, perDimension: perDimension, terms: terms,
                                 totalPerSample: perSample.reduce(0, +) / Double(n))
}

private func requireLatentShapes(_ mean: Tensor, _ logVariance: Tensor) throws {
    try LossError.requireSameShape("klDivergence", "mean", mean, "logVariance", logVariance)
    guard mean.rank == 2 else {
        throw LossError("klDivergence: mean and logVariance must be (N, D), got shape \(mean.shape)")
    }
}

/// Naive reference: −½ Σ (1 + v − μ² − e^{v}) in Double, literally.
func klDivergenceReference(mean: [Double], logVariance: [Double], divisor: Double) -> Double {
    var total = 0.0
    for (m, v) in zip(mean, logVariance) { total += -0.5 * (1 + v - m * m - exp(v)) }
    return total / divisor
}

/// KL(p ‖ q) between two batches of diagonal Gaussians (B, D), averaged over the rows, and its
/// gradient with respect to both (chapter 11's alignment term; `klDivergenceStandardNormal` is the
/// case q = N(0, I)). Per coordinate, with σ² = e^{log σ²} and δ = μ_p − μ_q,
///
///     KL = ½ (log σ²_q − log σ²_p + (σ²_p + δ²)/σ²_q − 1),
///     ∂KL/∂μ_p = δ/σ²_q = −∂KL/∂μ_q,
///     ∂KL/∂log σ²_p = ½ (σ²_p/σ²_q − 1),
///     ∂KL/∂log σ²_q = ½ (1 − (σ²_p + δ²)/σ²_q).
///
/// The gradients are those of the batch mean (each divided by B), scaled by `weight`.
/// - Complexity: O(B·D), in Double.
public func gaussianKLDivergence(_ p: DiagonalGaussian, from q: DiagonalGaussian, weight: Double = 1)
    -> (value: Double, dP: DiagonalGaussian, dQ: DiagonalGaussian) {
    precondition(p.mean.shape == q.mean.shape, "gaussianKLDivergence: \(p.mean.shape) against \(q.mean.shape)")
    let count = p.mean.count, rows = max(p.count, 1)
    let scale = weight / Double(rows)
    var dP = DiagonalGaussian(mean: Tensor(shape: p.mean.shape), logVariance: Tensor(shape: p.mean.shape))
    var dQ = dP
    var total = 0.0
    for j in 0..<count {
        let lvp = Double(p.logVariance.scalars[j]), lvq = Double(q.logVariance.scalars[j])
        let delta = Double(p.mean.scalars[j]) - Double(q.mean.scalars[j])
        let precisionQ = exp(-lvq), ratio = exp(lvp - lvq)
        total += 0.5 * (lvq - lvp + ratio + delta * delta * precisionQ - 1)
        dP.mean.scalars[j] = Float(scale * delta * precisionQ)
        dQ.mean.scalars[j] = Float(-scale * delta * precisionQ)
        dP.logVariance.scalars[j] = Float(scale * 0.5 * (ratio - 1))
        dQ.logVariance.scalars[j] = Float(scale * 0.5 * (1 - ratio - delta * delta * precisionQ))
    }
    return (total / Double(rows), dP, dQ)
}
