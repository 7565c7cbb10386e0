import Foundation

/// The gradient of each term of the loss on its own: what the reconstruction asks of every
/// weight, and what the KL asks, for one batch and one draw of ε.
///
/// The loss per image is −log p(x|z) + β·KL(q(z|x) ‖ p(z)), so its gradient is the sum of
///
///     ∂(reconstruction)/∂θ   through z = μ + σε into the decoder and, through μ and log σ², the encoder
///     ∂KL/∂θ                 only into the encoder (and label centres): the closed-form KL depends on
///                            (μ, log σ²), not on z or the decoder
///
/// which `VAE.accumulateGradients` adds before they reach the encoder. Taken apart, they show which
/// term drives each layer: a gradient-flow figure per term.
public struct TermGradients {
    /// ∂(−log p(x|z))/∂θ per parameter (batch mean), by name: `accumulateGradients` with β = 0.
    public var reconstruction: [String: Tensor]
    /// ∂KL/∂θ per parameter (batch mean), by name: zero for the decoder's.
    public var kl: [String: Tensor]
    /// The batch's terms, in nats per image.
    public var terms: ELBOTerms
}

extension VAE {
    /// The reconstruction's and the KL's gradients of the batch-mean loss, separately, for every
    /// parameter (`TermGradients`), with ε = `noise` or drawn from `random`.
    ///
    /// The model is left exactly as it was found: every parameter's gradient is restored, and so
    /// are BatchNorm's running statistics, which the training-mode forward passes move. (The
    /// forward passes use batch statistics, as training does.)
    /// - Throws: as `accumulateGradients` (a non-finite loss, a bad shape or labels), and for a
    ///   model with an IAF posterior or a VampPrior, whose KL̂ depends on z (not written here).
    public func termGradients(images: Tensor, targets: Tensor? = nil, labels: [Int]? = nil, noise: Tensor? = nil,
                              using random: inout RandomSource) throws -> TermGradients {
        guard flow == nil else {
            throw VAEConfigurationError("the gradients by term are written for the Gaussian posterior's closed-form KL, not an IAF posterior")
        }
        guard configuration.prior.hasClosedFormKL else {
            throw VAEConfigurationError("the gradients by term are written for the closed-form KL from N(0, I), not \(configuration.prior.summary)")
        }
        let savedGradients = parameters.map(\.gradient)
        let savedBuffers = buffers.map(\.value)
        defer {
            for (p, g) in zip(parameters, savedGradients) { p.gradient = g }
            for (b, v) in zip(buffers, savedBuffers) { b.value = v }
        }
        let epsilon = noise ?? Tensor.gaussian([images.shape[0], configuration.latentDimensions], using: &random)

        // Reconstruction alone: the whole backward pass with the KL's weight at zero.
        zeroGradients()
        let terms = try accumulateGradients(images: images, targets: targets, labels: labels, objective: .beta(0),
                                            noise: epsilon, using: &random)
        let reconstruction = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.gradient) })

        // The KL alone: from (μ, log σ²) back through the head and the encoder's layers, after a
        // fresh forward pass of the encoder (its backward needs that pass's cached values).
        zeroGradients()
        let (mean, logVariance) = try encode(images, labels: labels)
        let kl = try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample)
        let dStatistics = Tensor.concatenateColumns(kl.meanGradient, kl.logVarianceGradient)   // (B, 2D)
        if let labels, let labelCentres {
            // μ = head − m_y: the KL pulls m_y by −∂KL/∂μ in the row of each image's label.
            let onehot = Tensor.oneHot(labels, classes: configuration.classCount)
            labelCentres.gradient = labelCentres.gradient - Tensor.matmul(onehot, kl.meanGradient, transposeA: true)
        }
        var dFeatures = encoderHead.backward(dStatistics)
        if configuration.classCount > 0 { dFeatures = dFeatures.columns(0..<featureCount) }
        _ = encoderBody.backward(dFeatures)
        let klGradients = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.gradient) })
        return TermGradients(reconstruction: reconstruction, kl: klGradients, terms: terms)
    }
}
