import Foundation

extension VAE {
    /// One forward and backward pass of the ELBO on a batch for a model with an IAF posterior
    /// (`configuration.flow`): returns the loss terms in nats per image and **accumulates** the
    /// gradient of the batch-mean loss into every parameter, the flow's included.
    /// `accumulateGradients` calls it for such a model.
    ///
    /// ## The loss
    /// q(z|x) is no longer Gaussian, so its KL from the prior has no closed form. The ELBO is
    /// estimated with the same one sample z_T that the reconstruction uses:
    ///
    ///     KL̂ = log q(z_T|x) − log p(z_T)
    ///        = Σ_i [½ z_T,i² − ½ ε_i² − ½ log σ²_i] − Σ_t Σ_i log σ_t,i        (the log 2π cancel)
    ///
    /// (`InverseAutoregressiveFlow` derives log q), an unbiased estimate of KL(q ‖ p), and the loss
    /// per image is −log p(x|z_T) + β·KL̂. β (constant, or the KL warm-up's weight at this step)
    /// multiplies every gradient of KL̂, as it multiplies the closed-form KL's.
    ///
    /// ## The backward pass
    /// With L the batch mean:
    ///
    ///     ∂L/∂z_T            = decoder.backward(∂L/∂ℓ) + (β/B)·z_T        (from −log p(z_T))
    ///     ∂L/∂(Σ_i log σ_t,i) = −β/B, every step and row                   (log q's log-determinant)
    ///     (∂L/∂z₀, ∂L/∂h)    = flow.backward(∂L/∂z_T, −β/B)
    ///     ∂L/∂μ      = ∂L/∂z₀                                               (z₀ = μ + σε)
    ///     ∂L/∂log σ² = ∂L/∂z₀ ⊙ σε/2 − β/(2B)                               (log q's direct −½ log σ²)
    ///     ∂L/∂features = head.backward([∂L/∂μ, ∂L/∂log σ²]) + context.backward(∂L/∂h)
    ///
    /// then the encoder's layers. (−½ε² does not depend on the parameters: ε is the fixed noise of
    /// the reparameterisation. The last two lines of the encoder are `VAE.latentGradient` with a
    /// "KL" whose gradients are 0 in μ and −½/B in log σ².)
    ///
    /// The returned `kl` is the batch mean of KL̂, `objective` reconstruction + β·KL̂.
    /// - Throws: `TrainingError.nonFiniteLoss` when a term is not finite; `VAEConfigurationError`
    ///   for bad shapes.
    /// - Complexity: the plain pass plus the flow's forward and backward on B codes (about 3·T·(3DH + CH)
    ///   multiply-adds per image: a few percent of the reference model's).
    func accumulateFlowGradients(images: Tensor, targets: Tensor?, beta: Double, noise: Tensor?,
                                 using random: inout RandomSource) throws -> ELBOTerms {
        guard let flow else { preconditionFailure("accumulateFlowGradients on a model without a flow") }
        guard beta.isFinite, beta >= 0 else { throw VAEConfigurationError("β must be a number ≥ 0, not \(beta)") }
        let targets = targets ?? images
        let (mean, logVariance, features) = try encodeWithFeatures(images)            // (B, D), (B, D), (B, F)
        let (z0, epsilon, sigma) = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: noise, using: &random)
        let context = flow.contextVectors(features)                                    // (B, C)
        let (z, logDeterminants) = flow.forward(z0, context: context)                  // (B, D), (B)
        let logits = decoder.forward(z)

        let reconstruction = try likelihood.loss(output: logits, targets: targets)
        let b = images.shape[0]
        let kl = VAE.flowKLEstimates(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: logDeterminants)
            .reduce(0, +) / Double(b)
        guard reconstruction.value.isFinite, kl.isFinite else {
            throw TrainingError.nonFiniteLoss(reconstruction: reconstruction.value, kl: kl)
        }

        let scale = Float(beta / Double(b))
        var dz = decoder.backward(reconstruction.gradient)                            // (B, D)
        dz.withUnsafeMutableBufferPointer { g in
            z.withUnsafeBufferPointer { pz in for i in 0..<g.count { g[i] += scale * pz[i] } }
        }
        let (dz0, dContext) = flow.backward(dz, logDeterminantGradient: -scale)
        let direct = KLDivergenceResult(value: kl, meanGradient: Tensor(shape: mean.shape),
                                        logVarianceGradient: Tensor(shape: mean.shape, repeating: Float(-0.5 / Double(b))))
        let dStatistics = VAE.latentGradient(dz: dz0, epsilon: epsilon, standardDeviation: sigma,
                                             kl: direct, klWeight: Float(beta))        // (B, 2D)
        var dFeatures = encoderHead.backward(dStatistics)                              // (B, F)
        add(flow.contextBackward(dContext), into: &dFeatures)
        _ = encoderBody.backward(dFeatures)
        return ELBOTerms(reconstruction: reconstruction.value, kl: kl, objective: reconstruction.value + beta * kl)
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

    /// The codes z_T (N, D) and their one-sample KL̂ (N) for posteriors (μ, log σ²) (N, D) with
    /// encoder features (N, F) and noise ε (N, D): the flow's forward pass from z₀ = μ + σε (the
    /// reparameterisation's operations), for the evaluations. Without a flow, z₀ and the
    /// Gaussian's one-sample KL̂.
    func posteriorSample(mean: Tensor, logVariance: Tensor, features: Tensor, epsilon: Tensor)
        -> (z: Tensor, klEstimates: [Double]) {
        var unused = RandomSource(seed: 0)
        let z0 = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: epsilon, using: &unused).z
        guard let flow else {
            return (z0, VAE.flowKLEstimates(z: z0, epsilon: epsilon, logVariance: logVariance,
                                            logDeterminants: [Double](repeating: 0, count: z0.shape[0])))
        }
        let (z, logDeterminants) = flow.forward(z0, context: flow.contextVectors(features))
        return (z, VAE.flowKLEstimates(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: logDeterminants))
    }
}
