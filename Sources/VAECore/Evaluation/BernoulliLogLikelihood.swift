import Foundation

/// log p(x|z) = Σ_j [x_j log σ(ℓ_j) + (1 − x_j) log(1 − σ(ℓ_j))] of one image x under the
/// Bernoulli logits ℓ: minus the binary cross-entropy summed over the `count` pixels.
///
/// The same stable form as `binaryCrossEntropyWithLogits`, −[max(ℓ, 0) − ℓ·x + log1p(e^{−|ℓ|})],
/// whose exponent is never positive, so a confident wrong pixel (ℓ = −1000, x = 1) costs a
/// finite 1000 nats instead of log 0. Terms in Float, the sum in Double. No gradient, no
/// allocation: the importance-weighted bound calls it k times per image.
/// - Complexity: `count` exponentials and logarithms.
@inline(__always)
func bernoulliLogLikelihood(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double {
    var total = 0.0
    for j in 0..<count {
        let z = logits[j], x = targets[j]
        total += Double(max(z, 0) - z * x + log1p(exp(-abs(z))))
    }
    return -total
}

/// Naive reference: the defining formula in Double, x·log σ(ℓ) + (1 − x)·log(1 − σ(ℓ)) with
/// log σ(ℓ) = −softplus(−ℓ) and log(1 − σ(ℓ)) = −softplus(ℓ).
func bernoulliLogLikelihoodReference(logits: [Float], targets: [Float]) -> Double {
    var total = 0.0
    for (z, x) in zip(logits, targets) {
        total -= Double(x) * StableMath.softplus(-Double(z)) + (1 - Double(x)) * StableMath.softplus(Double(z))
    }
    return total
}

/// Naive reference of a Gaussian log-density, Σ_j log N(x_j; μ_j, v_j) in Double, term by term.
func gaussianLogLikelihoodReference(means: [Double], variances: [Double], targets: [Float]) -> Double {
    var total = 0.0
    for j in means.indices {
        let r = Double(targets[j]) - means[j]
        total += -0.5 * (r * r / variances[j] + log(variances[j]) + log(2 * Double.pi))
    }
    return total
}
