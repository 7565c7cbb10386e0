import Foundation

/// The product of Gaussian experts and the prior expert N(0, I), renormalised: the joint posterior
/// of Wu & Goodman's multimodal VAE (MVAE, 2018). For each of the B·D coordinates, with the
/// experts' precisions T_i = e^{−log σ²_i} and the prior's precision 1,
///
///     T = 1 + Σ_i T_i,      μ = (Σ_i T_i μ_i) / T,      log σ² = −log T.
///
/// (A product of Gaussian densities is a Gaussian whose precision is the sum of the precisions and
/// whose mean is the precision-weighted mean; the prior is one expert whose mean is 0.) Every
/// expert that is not observed is simply left out, so the same formula gives q(z|x₁), q(z|x₂) and
/// q(z|x₁, x₂).
///
/// `weights` keeps T_i/T per expert, what the backward pass needs.
public struct ExpertProduct: Sendable {
    /// The product, a diagonal Gaussian (B, D).
    public var gaussian: DiagonalGaussian
    /// w_i = T_i / T per expert, (B, D) each: the share of the product's precision from expert i.
    public var weights: [Tensor]
}

/// The product of the prior N(0, I) and `experts` (at least one, all of one (B, D) shape).
///
/// The sums run in Double, so a very confident expert (log σ² = −30, T ≈ 10¹³) does not swamp the
/// others in rounding.
/// - Throws: `VAEConfigurationError` for no experts or different shapes.
/// - Complexity: O(B·D·experts), one exponential and one logarithm per coordinate and expert.
public func productOfExperts(_ experts: [DiagonalGaussian]) throws -> ExpertProduct {
    guard let shape = experts.first?.mean.shape else {
        throw VAEConfigurationError("a product of experts needs at least one expert")
    }
    guard experts.allSatisfy({ $0.mean.shape == shape }) else {
        throw VAEConfigurationError("the experts' shapes differ: \(experts.map(\.mean.shape))")
    }
    let count = shape[0] * shape[1]
    var precisions = [[Double]](repeating: [], count: experts.count)
    var totals = [Double](repeating: 1, count: count)              // the prior's precision, 1
    var weightedMeans = [Double](repeating: 0, count: count)       // the prior's mean, 0
    for (i, expert) in experts.enumerated() {
        var t = [Double](repeating: 0, count: count)
        expert.mean.withUnsafeBufferPointer { mu in
            expert.logVariance.withUnsafeBufferPointer { lv in
                for j in 0..<count {
                    t[j] = exp(-Double(lv[j]))
                    totals[j] += t[j]
                    weightedMeans[j] += t[j] * Double(mu[j])
                }
            }
        }
        precisions[i] = t
    }
    var mean = Tensor(shape: shape), logVariance = Tensor(shape: shape)
    mean.withUnsafeMutableBufferPointer { mu in
        logVariance.withUnsafeMutableBufferPointer { lv in
            for j in 0..<count {
                mu[j] = Float(weightedMeans[j] / totals[j])
                lv[j] = Float(-log(totals[j]))
            }
        }
    }
    let weights = precisions.map { t in Tensor(shape: shape, scalars: (0..<count).map { Float(t[$0] / totals[$0]) }) }
    return ExpertProduct(gaussian: DiagonalGaussian(mean: mean, logVariance: logVariance), weights: weights)
}

/// The gradient of a loss with respect to each expert's μ_i and log σ²_i, from its gradient with
/// respect to the product's μ and log σ² (`upstream`). Differentiating the product, with
/// w_i = T_i/T and ∂T_i/∂log σ²_i = −T_i:
///
///     ∂μ/∂μ_i           = w_i
///     ∂μ/∂log σ²_i      = −T_i (μ_i − μ) / T = −w_i (μ_i − μ)
///     ∂log σ²/∂log σ²_i = T_i / T            = w_i            (∂log σ²/∂μ_i = 0)
///
/// so that
///
///     ∂L/∂μ_i      = w_i · ∂L/∂μ
///     ∂L/∂log σ²_i = w_i · (∂L/∂log σ² − (μ_i − μ) · ∂L/∂μ).
///
/// A confident expert (large w_i) takes most of the gradient; an expert far from the consensus
/// is told, through its variance, to be less sure.
/// - Complexity: O(B·D·experts).
public func productOfExpertsBackward(_ product: ExpertProduct, experts: [DiagonalGaussian],
                                     upstream: DiagonalGaussian) -> [DiagonalGaussian] {
    precondition(experts.count == product.weights.count && upstream.mean.shape == product.gaussian.mean.shape,
                 "productOfExpertsBackward: \(experts.count) experts for \(product.weights.count) weights, "
                     + "upstream \(upstream.mean.shape) for a product \(product.gaussian.mean.shape)")
    let count = upstream.mean.count
    return zip(experts, product.weights).map { expert, weight in
        var dMean = Tensor(shape: expert.mean.shape), dLogVariance = Tensor(shape: expert.mean.shape)
        dMean.withUnsafeMutableBufferPointer { gm in
            dLogVariance.withUnsafeMutableBufferPointer { gv in
                weight.withUnsafeBufferPointer { w in
                    expert.mean.withUnsafeBufferPointer { mi in
                        product.gaussian.mean.withUnsafeBufferPointer { mu in
                            upstream.mean.withUnsafeBufferPointer { um in
                                upstream.logVariance.withUnsafeBufferPointer { uv in
                                    for j in 0..<count {
                                        gm[j] = w[j] * um[j]
                                        gv[j] = w[j] * (uv[j] - (mi[j] - mu[j]) * um[j])
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return DiagonalGaussian(mean: dMean, logVariance: dLogVariance)
    }
}
