import Foundation

/// log p(x|z) = Σ_j [x_j log σ(ℓ_j) + (1 − x_j) log(1 − σ(ℓ_j))] of one image x under the
/// Bernoulli logits ℓ: minus the binary cross-entropy summed over the `count` pixels.
///
/// The same stable form as `binaryCrossEntropyWithLogits`, −[max(ℓ, 0) − ℓ·x + log1p(e^{−|ℓ|})],
/// whose exponent is never positive, so a confident wrong pixel (ℓ = −1000, x = 1) costs a
/// finite 1000 nats instead of log 0; e^{−|ℓ|} and log1p are the loss's own eight-lane
/// `StableMath` functions (glibc's scalar `expf` and `log1pf` were an eighth of the whole
/// importance-weighted estimate). Terms in Float, their sum in Double. No gradient, no
/// allocation: the importance-weighted bound calls it k times per image.
/// - Complexity: `count` exponentials and logarithms, eight at a time.
@inline(__always)
func bernoulliLogLikelihood(logits: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double {
    typealias V = SIMD8<Float>
    var total = SIMD8<Double>()
    var j = 0
    while j < count {
        let lanes = min(8, count - j)
        var z = V(), x = V()
        if lanes == 8 {
            z = UnsafeRawPointer(logits + j).loadUnaligned(as: V.self)
            x = UnsafeRawPointer(targets + j).loadUnaligned(as: V.self)
        } else {
            for l in 0..<lanes { z[l] = logits[j + l]; x[l] = targets[j + l] }
        }
        let zero = V()
        let magnitude = z.replacing(with: -z, where: z .< zero)                         // |ℓ|
        let softplus = StableMath.log1pOfUnit(StableMath.exponentialOfNegative(magnitude))  // log1p(e^{−|ℓ|})
        var term = z.replacing(with: zero, where: z .< zero) - z * x + softplus          // max(ℓ, 0) − ℓx + …
        if lanes < 8 { for l in lanes..<8 { term[l] = 0 } }
        total += SIMD8<Double>(term)
        j += 8
    }
    return -total.sum()
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
