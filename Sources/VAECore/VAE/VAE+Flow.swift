import Foundation

/// A flow after the Gaussian (`PosteriorFlow`; the course's is the inverse autoregressive flow) as
/// the posterior part of the training step (`VAE.trainingStep`): q(z|x) is the Gaussian
/// followed by the flow, z = z_T of z₀ = μ + σε.
///
/// ## The loss
/// q(z|x) is no longer Gaussian, so its KL from the prior has no closed form. The ELBO is
/// estimated with the same one sample z_T that the reconstruction uses:
///
///     KL̂ = log q(z_T|x) − log p(z_T)
///        = Σ_i [½ z_T,i² − ½ ε_i² − ½ log σ²_i] − Σ_t Σ_i log σ_t,i        (N(0, I); the log 2π cancel)
///
/// (`PosteriorFlow` and `InverseAutoregressiveFlow` derive log q; `Prior.oneSampleKLTerm` computes it), an unbiased
/// estimate of KL(q ‖ p), and the loss per image is −log p(x|z_T) + β·KL̂. β (constant, or the KL
/// warm-up's weight at this step) multiplies every gradient of KL̂, as it multiplies the
/// closed-form KL's.
///
/// ## The backward pass
/// With L the batch mean:
///
///     ∂L/∂z_T            = decoder.backward(∂L/∂ℓ) + (β/B)·z_T        (from −log p(z_T); `addCodeGradient`)
///     ∂L/∂(Σ_i log σ_t,i) = −β/B, every step and row                   (log q's log-determinant)
///     (∂L/∂z₀, ∂L/∂h)    = flow.backward(∂L/∂z_T, −β/B)                (`flowBackward`)
///     ∂L/∂μ      = ∂L/∂z₀                                               (z₀ = μ + σε)
///     ∂L/∂log σ² = ∂L/∂z₀ ⊙ σε/2 − β/(2B)                               (log q's direct −½ log σ²)
///     ∂L/∂features = head.backward([∂L/∂μ, ∂L/∂log σ²]) + context.backward(∂L/∂h)
///
/// then the encoder's layers. (−½ε² does not depend on the parameters: ε is the fixed noise of
/// the reparameterisation. The last two lines of the encoder are `VAE.latentGradient` with a
/// "KL" whose gradients are 0 in μ and −½/B in log σ²: the one-sample term's.) The returned
/// `kl` is the batch mean of KL̂, `objective` reconstruction + β·KL̂.
///
/// The flow adds its forward and backward on B codes: about 3·T·(3DH + CH) multiply-adds per
/// image, a few percent of the reference model's.
extension VAE {
    /// z_T (B, D) and each row's log-determinant from z₀ (B, D) and the encoder's features (B, F),
    /// the flow's context computed from them; nil for a model without a flow. The flow caches its
    /// pass for `flowBackward`.
    func flowCodes(_ z0: Tensor, features: Tensor) -> (z: Tensor, logDeterminants: [Double])? {
        guard let flow else { return nil }
        return flow.forward(z0, context: flow.contextVectors(features))             // (B, D), (B)
    }

    /// ∂L/∂z₀ (B, D) and the context's ∂L/∂features (B, F) from ∂L/∂z_T (B, D), with the KL's
    /// weight w: each row's log-determinant gets −w/B. Accumulates the flow's gradients.
    func flowBackward(_ dz: Tensor, klWeight weight: Double) -> (z0: Tensor, features: Tensor) {
        guard let flow else { preconditionFailure("flowBackward on a model without a flow") }
        let (dz0, dContext) = flow.backward(dz, logDeterminantGradient: -Float(weight / Double(dz.shape[0])))
        return (dz0, flow.contextBackward(dContext))
    }

    /// The one-sample KL̂ = log q(z_T|x) − log p(z_T) of each row, in Double:
    /// Σ_i ½(z_T,i² − ε_i² − log σ²_i) − log-determinant, from z_T, ε, log σ² (N, D each) and the
    /// flow's Σ_t Σ_i log σ_t,i of each row. With no flow (z_T = z₀, no log-determinant) it is the
    /// Gaussian's one-sample estimate, whose expectation is the closed-form KL.
    static func flowKLEstimates(z: Tensor, epsilon: Tensor, logVariance: Tensor, logDeterminants: [Double]) -> [Double] {
        let (n, d) = (z.shape[0], z.shape[1])
        precondition(epsilon.shape == z.shape && logVariance.shape == z.shape && logDeterminants.count == n,
                     "flowKLEstimates: z \(z.shape), ε \(epsilon.shape), log σ² \(logVariance.shape), \(logDeterminants.count) determinants")
        return z.withUnsafeBufferPointer { pz in
            epsilon.withUnsafeBufferPointer { e in
                logVariance.withUnsafeBufferPointer { lv in
                    (0..<n).map { row in
                        var halfSum = 0.0
                        for j in 0..<d {
                            let i = row * d + j
                            halfSum += Double(pz[i]) * Double(pz[i]) - Double(e[i]) * Double(e[i]) - Double(lv[i])
                        }
                        return 0.5 * halfSum - logDeterminants[row]
                    }
                }
            }
        }
    }

    /// The codes z (N, D) and their one-sample KL̂ = log q(z|x) − log p(z) (N) for posteriors
    /// (μ, log σ²) (N, D) with encoder features (N, F) and noise ε (N, D), under `prior`: z₀ = μ + σε
    /// (the reparameterisation's operations), then the flow's z_T of it when the model has one,
    /// for the evaluations. N(0, I)'s KL̂ by `flowKLEstimates`; another prior's by its log-density,
    /// less the flow's log-determinant.
    func posteriorSample(mean: Tensor, logVariance: Tensor, features: Tensor, epsilon: Tensor, prior: PreparedPrior)
        -> (z: Tensor, klEstimates: [Double]) {
        var unused = RandomSource(seed: 0)
        let z0 = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: epsilon, using: &unused).z
        let (z, logDeterminants) = flowCodes(z0, features: features) ?? (z0, [Double](repeating: 0, count: z0.shape[0]))
        guard !prior.isStandardNormal else {
            return (z, VAE.flowKLEstimates(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: logDeterminants))
        }
        let estimates = prior.klEstimates(z: z, epsilon: epsilon, logVariance: logVariance)   // log q(z₀|x) − log p(z)
        return (z, zip(estimates, logDeterminants).map { $0 - $1 })
    }
}
