import Foundation

/// Binary cross-entropy between Bernoulli targets x ∈ [0, 1] and the logits z of the predicted
/// probabilities p = σ(z): ℓ(z, x) = −x·log σ(z) − (1 − x)·log(1 − σ(z)), summed or averaged over
/// every element according to `reduction`. For the VAE's decoder (N, 1, 28, 28) use
/// `.sumPerSample`: summed over pixels and averaged over the batch, in nats per image.
///
/// ## Stable form
/// With log σ(z) = −log(1 + e^{−z}) and log(1 − σ(z)) = −z − log(1 + e^{−z}),
/// ℓ = z − z·x + log(1 + e^{−z}); rewriting log(1 + e^{−z}) = max(−z, 0) + log1p(e^{−|z|}) gives
///
///     ℓ = max(z, 0) − z·x + log1p(e^{−|z|}),
///
/// whose exponent is never positive: finite and accurate for logits of any size (z = ±1000
/// included), where log σ(z) itself would be log 0 = −∞. The product z·x is taken in Double
/// (exact for two Floats), so that max(z, 0) − z·x cancels without rounding when x = 1.
///
/// ## Gradient
/// ∂ℓ/∂z = σ(z) − x (the derivative of log(1 + e^{z}) is σ(z)), divided by the reduction's
/// divisor. With e = e^{−|z|}, the same exponential as the loss, it is computed as
/// ((1 − x) − x·e)/(1 + e) for z ≥ 0 and ((1 − x)·e − x)/(1 + e) for z < 0: for the binary targets
/// of a confident prediction (σ(z) ≈ x ∈ {0, 1}) this avoids the cancellation of σ(z) − x in
/// Float and keeps full relative precision (σ(8) − 1 = −3.4e-4 instead of an error of 1e-4).
///
/// - Parameters:
///   - logits: z, any shape (N, …) with the batch on axis 0.
///   - targets: x, the same shape, every value in [0, 1] (fractional targets are allowed).
/// - Throws: `LossError` for different or empty shapes, or a target outside [0, 1] or NaN.
/// - Returns: the loss and ∂loss/∂logits.
/// - Complexity: one pass, eight elements at a time (`bceLanes`), split over the cores.
public func binaryCrossEntropyWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction) throws -> LossResult {
    try LossError.requireSameShape("binaryCrossEntropyWithLogits", "logits", logits, "targets", targets)
    let scale = 1 / reduction.divisor(termCount: logits.count, batchSize: logits.shape[0])
    let gradientScale = Float(scale)
    // Blocks of elements, shared out over the cores; each block's sum is kept apart and the sums
    // are added in block order, so the total does not depend on the number of threads.
    let count = logits.count
    let block = 8192
    let blocks = (count + block - 1) / block
    var partials = [Double](repeating: 0, count: blocks)
    var badTargets = [Float](repeating: 0, count: blocks)   // a bad target of each block, or 0
    let gradient = logits.withUnsafeBufferPointer { z in
        targets.withUnsafeBufferPointer { x in
            partials.withUnsafeMutableBufferPointer { partials in
                badTargets.withUnsafeMutableBufferPointer { bad in
                    makeLayerOutput(shape: logits.shape) { g in
                        nonisolated(unsafe) let (z, x, g, partials, bad) = (z.baseAddress!, x.baseAddress!, g, partials, bad)
                        forEachChunk(count: blocks, workPerItem: 16 * block) { range in
                            for b in range {
                                let start = b * block, end = min(count, (b + 1) * block)
                                var total = 0.0
                                var i = start
                                while i < end {
                                    let lanes = min(8, end - i)
                                    let (t, badLane) = bceLanes(z + i, x + i, g + i, lanes: lanes, gradientScale: gradientScale)
                                    total += t
                                    if let badLane { bad[b] = x[i + badLane] }   // never 0 (0 is valid); NaN != 0
                                    i += lanes
                                }
                                partials[b] = total
                            }
                        }
                    }
                }
            }
        }
    }
    if let badTarget = badTargets.first(where: { $0 != 0 }) {
        throw LossError("binaryCrossEntropyWithLogits: targets must lie in [0, 1], found \(badTarget)")
    }
    let total = partials.reduce(0, +)
    return LossResult(value: total * scale, gradient: gradient)
}

/// The loss terms and gradients of up to 8 elements (`lanes`) at once: returns the sum of their
/// terms, in Double, and the lane of a target outside [0, 1] (or NaN), if any.
/// The terms are `bceLaneTerms`', added in lane order.
@inline(__always)
func bceLanes(_ z: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
              lanes: Int, gradientScale: Float) -> (Double, Int?) {
    let (terms, badLane) = bceLaneTerms(z, x, g, lanes: lanes, gradientScale: gradientScale)
    var total = 0.0
    for l in 0..<lanes { total += terms[l] }
    return (total, badLane)
}

/// The loss term of each of up to 8 elements (`lanes`), in Double (lanes past `lanes` hold 0),
/// their gradients scaled by `gradientScale` written to `g`, and the lane of a target outside
/// [0, 1] (or NaN), if any. `bceLanes` adds the terms up; the importance-weighted objective keeps
/// them apart, one image's pixel per lane (`VAE+ImportanceWeighted.swift`).
///
/// The same formulas as the scalar description above, with e^{−|z|} and log1p(e) evaluated by
/// `StableMath.exponentialOfNegative` and `StableMath.log1pOfUnit` on whole vectors (glibc's
/// `expf` and `log1pf` are scalar calls, 80% of the time of this loss). A partial vector is
/// padded with zeros, which are computed and dropped, so every element goes through exactly the
/// same arithmetic.
@inline(__always)
package func bceLaneTerms(_ z: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ g: UnsafeMutablePointer<Float>,
                  lanes: Int, gradientScale: Float) -> (terms: SIMD8<Double>, badLane: Int?) {
    typealias V = SIMD8<Float>
    var zv = V(), xv = V()
    if lanes == 8 {
        zv = UnsafeRawPointer(z).loadUnaligned(as: V.self)
        xv = UnsafeRawPointer(x).loadUnaligned(as: V.self)
    } else {
        for l in 0..<lanes { zv[l] = z[l]; xv[l] = x[l] }
    }
    let valid = (xv .>= 0) .& (xv .<= 1)
    var badLane: Int? = nil
    if !all(valid) {
        for l in 0..<lanes where !valid[l] { badLane = l; break }
    }
    let zero = V(), one = V(repeating: 1)
    let magnitude = zv.replacing(with: -zv, where: zv .< zero)       // |z|
    let e = StableMath.exponentialOfNegative(magnitude)              // e^{−|z|}, in (0, 1]
    let softplus = StableMath.log1pOfUnit(e)                          // log1p(e^{−|z|})
    // ℓ = max(z, 0) − z·x + log1p(e^{−|z|}), in Double lane by lane (z·x is exact there).
    let positivePart = zv.replacing(with: zero, where: zv .< zero)
    var terms = SIMD8<Double>()
    for l in 0..<lanes { terms[l] = Double(positivePart[l]) - Double(zv[l]) * Double(xv[l]) + Double(softplus[l]) }
    // ∂ℓ/∂z = σ(z) − x, as ((1 − x) − x·e)/(1 + e) for z ≥ 0 and ((1 − x)·e − x)/(1 + e) for z < 0.
    let positive = (one - xv) - xv * e
    let negative = (one - xv) * e - xv
    let gradient = positive.replacing(with: negative, where: zv .< zero) / (one + e) * V(repeating: gradientScale)
    if lanes == 8 {
        UnsafeMutableRawPointer(g).storeBytes(of: gradient, as: V.self)
    } else {
        for l in 0..<lanes { g[l] = gradient[l] }
    }
    return (terms, badLane)
}

/// Naive reference: the same loss in Double, term by term, from the defining formula
/// −x·log σ(z) − (1 − x)·log(1 − σ(z)) with log σ(z) = −softplus(−z), log(1 − σ(z)) = −softplus(z).
func binaryCrossEntropyWithLogitsReference(logits: [Double], targets: [Double], divisor: Double) -> Double {
    var total = 0.0
    for (z, x) in zip(logits, targets) {
        total += x * StableMath.softplus(-z) + (1 - x) * StableMath.softplus(z)
    }
    return total / divisor
}
