import Foundation

/// The KL term with free bits (Kingma et al., 2016, "Improved variational inference with inverse
/// autoregressive flow", appendix C.8), per latent dimension: for a batch of N codes,
///
///     KL̄_d = (1/N) Σ_n KL(N(μ_nd, σ²_nd) ‖ N(0, 1)) = (1/N) Σ_n ½(μ_nd² + σ²_nd − 1 − log σ²_nd)
///     KL_λ = Σ_d max(λ, KL̄_d)                      (nats per image, like `.sumPerSample`)
///
/// Each dimension's KL, averaged over the batch, counts at least λ nats: below λ the term is the
/// constant λ, so a dimension may carry up to λ nats about x without paying for them, and the
/// KL's pull towards the prior (which drives a dimension to collapse early in training, before
/// the decoder has learned to use it) stops there. Above λ the term is the ordinary KL.
///
/// The gradient is the clamp's: where KL̄_d ≥ λ (equality included, as `torch.clamp(min: λ)`
/// passes it), the plain KL's gradient
///
///     ∂KL_λ/∂μ_nd = μ_nd / N,    ∂KL_λ/∂log σ²_nd = ½(e^{log σ²_nd} − 1) / N,
///
/// and where KL̄_d < λ, zero for every code of the batch. The terms and KL̄_d are formed in Double,
/// the gradients rounded once, exactly as `klDivergenceStandardNormal(reduction: .sumPerSample)`
/// forms its own: a dimension above λ gets bit for bit the plain gradient.
///
/// - Parameters:
///   - mean: μ, shape (N, D).
///   - logVariance: log σ², shape (N, D).
///   - freeBits: λ in nats per dimension, finite and ≥ 0 (λ = 0 is the plain KL, whose terms are never negative).
/// - Returns: KL_λ and its gradients with respect to μ and log σ².
/// - Throws: `LossError` for different, empty or non-(N, D) shapes, or a bad λ.
/// - Complexity: O(N·D), two passes.
public func freeBitsKL(mean: Tensor, logVariance: Tensor, freeBits lambda: Double) throws -> KLDivergenceResult {
    try LossError.requireSameShape("freeBitsKL", "mean", mean, "logVariance", logVariance)
    guard mean.rank == 2 else { throw LossError("freeBitsKL: mean and logVariance must be (N, D), got shape \(mean.shape)") }
    guard lambda.isFinite, lambda >= 0 else { throw LossError("freeBitsKL: λ must be a finite number of nats ≥ 0, not \(lambda)") }
    let (n, d) = (mean.shape[0], mean.shape[1])
    let scale = 1 / Double(n)
    var perDimension = [Double](repeating: 0, count: d)
    mean.withUnsafeBufferPointer { mu in
        logVariance.withUnsafeBufferPointer { lv in
            for i in 0..<n {
                for j in 0..<d {
                    let m = Double(mu[i * d + j]), v = Double(lv[i * d + j])
                    perDimension[j] += 0.5 * (m * m + expm1(v) - v)
                }
            }
        }
    }
    var value = 0.0
    var aboveFloor = [Bool](repeating: false, count: d)    // whether KL̄_j ≥ λ: its gradient passes
    for j in 0..<d {
        let kl = perDimension[j] * scale
        aboveFloor[j] = kl >= lambda
        value += max(lambda, kl)
    }
    var dMean = Tensor(shape: mean.shape)
    var dLogVariance = Tensor(shape: mean.shape)
    mean.withUnsafeBufferPointer { mu in
        logVariance.withUnsafeBufferPointer { lv in
            dMean.withUnsafeMutableBufferPointer { gm in
                dLogVariance.withUnsafeMutableBufferPointer { gv in
                    for i in 0..<n {
                        for j in 0..<d where aboveFloor[j] {
                            let k = i * d + j
                            let m = Double(mu[k]), v = Double(lv[k])
                            gm[k] = Float(m * scale)
                            gv[k] = Float(0.5 * expm1(v) * scale)
                        }
                    }
                }
            }
        }
    }
    return KLDivergenceResult(value: value, meanGradient: dMean, logVarianceGradient: dLogVariance)
}

/// Naive reference: Σ_d max(λ, (1/N) Σ_n −½(1 + v − μ² − e^{v})) in Double, literally, from (N, D)
/// values in row-major order.
func freeBitsKLReference(mean: [Double], logVariance: [Double], rows n: Int, freeBits lambda: Double) -> Double {
    let d = mean.count / n
    var total = 0.0
    for j in 0..<d {
        var kl = 0.0
        for i in 0..<n { kl += -0.5 * (1 + logVariance[i * d + j] - mean[i * d + j] * mean[i * d + j] - exp(logVariance[i * d + j])) }
        total += max(lambda, kl / Double(n))
    }
    return total
}
