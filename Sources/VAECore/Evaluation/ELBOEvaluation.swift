import Foundation

/// The evidence lower bound of a model on a data set, in nats per image.
public struct ELBOEvaluation: Sendable, Equatable {
    /// The number of images.
    public var count: Int
    /// Mean −BCE(decode(z), x) − KL(q(z|x) ‖ p(z)) (negative; higher is better), and its
    /// standard error over images.
    public var elbo: MeanEstimate
    /// Mean reconstruction term −log p(x|z) summed over pixels (the BCE, for a Bernoulli), one z per image.
    public var reconstruction: Double
    /// Mean KL(q(z|x) ‖ p(z)), analytic; for a model with an IAF posterior the mean one-sample
    /// estimate KL̂ = log q(z_T|x) − log p(z_T) at the same z as the reconstruction.
    public var kl: Double
    /// KL per latent dimension and active units, from the same encodings (with a flow: of the
    /// Gaussian z₀ the flow starts from).
    public var latent: LatentActivity
    /// The ELBO of each image.
    public var perImage: [Double]
    /// The reconstruction term −log p(x|z) of each image (the same z as its ELBO).
    var perImageReconstruction: [Double] = []
    /// The KL term of each image.
    var perImageKL: [Double] = []

    /// The mean terms, as training reports them (objective = reconstruction + KL, β = 1).
    public var terms: ELBOTerms {
        ELBOTerms(reconstruction: reconstruction, kl: kl, objective: reconstruction + kl)
    }
}

/// The ELBO of `model` on `images` (N, 1, 28, 28), which should be what the model's likelihood
/// scores: binary for a Bernoulli (the caller binarizes the test set once, with
/// `model.configuration.likelihood.evaluationSet(test)`), grey for a Gaussian.
///
/// Per image, ELBO(x) = log p(x|z) − KL(q(z|x) ‖ p(z)) with
/// - log p(x|z) from the model's likelihood (−BCE summed over the pixels, for a Bernoulli),
///   estimated with **one** sample
///   z = μ + σ·ε, ε ~ N(0, I) drawn from `RandomSource(seed: seed)` in image order (so the
///   result does not depend on `batchSize`): an unbiased estimate of E_q[log p(x|z)];
/// - the KL in closed form, ½ Σ_d (μ² + σ² − 1 − log σ²).
///
/// For a model with an IAF posterior (`configuration.flow`) z is z_T, the flow's image of
/// z₀ = μ + σε, and the KL has no closed form: the KL column is the one-sample estimate
/// KL̂ = log q(z_T|x) − log p(z_T) at that z (`VAE+Flow.swift` derives it), so each
/// image's ELBO is log p(x|z_T) + log p(z_T) − log q(z_T|x), still unbiased, with more variance.
/// The `latent` statistics describe the Gaussian z₀.
///
/// A prior without a closed-form KL (the VampPrior, `configuration.prior`) gives the same
/// one-sample KL̂ = log q(z|x) − log p(z) at the one z (z_T, with a flow), with its own log p(z);
/// the `latent` statistics (KL per dimension, active units) are still measured against N(0, I).
///
/// The model runs in evaluation mode (BatchNorm normalises with its running statistics and does
/// not update them); its previous mode is restored before returning.
///
/// - Parameters:
///   - labels: one label per image, for a conditional model (`classCount` > 0); ignored otherwise.
///   - batchSize: images per forward pass; changes memory and speed, not the result.
///   - limit: only the first `limit` images.
/// - Throws: `EvaluationError` for bad shapes, pixels outside [0, 1], a batch size below 1 or
///   missing labels of a conditional model.
/// - Complexity: one encoder and one decoder pass per image.
public func evaluateELBO(model: VAE, images: Tensor, labels: [Int]? = nil, batchSize: Int = 500,
                         limit: Int? = nil, seed: UInt64) throws -> ELBOEvaluation {
    let n = try checkEvaluationInputs(model: model, images: images, labels: labels, batchSize: batchSize, limit: limit)
    let pixels = images.count / images.shape[0]
    var random = RandomSource(seed: seed)
    let likelihood = model.preparedLikelihood(pixels: pixels)
    return try inEvaluationMode(model) {
        let prior = try model.preparedPrior()
        var latent = LatentActivityAccumulator(dimensions: model.configuration.latentDimensions)
        var perImage: [Double] = [], perImageReconstruction: [Double] = [], perImageKL: [Double] = []
        perImage.reserveCapacity(n)
        perImageReconstruction.reserveCapacity(n)
        perImageKL.reserveCapacity(n)
        var reconstructionSum = 0.0, klSum = 0.0
        for start in stride(from: 0, to: n, by: batchSize) {
            let range = start..<min(start + batchSize, n)
            let batch = images.rows(range)                                        // (B, 1, 28, 28)
            let batchLabels = labels.map { Array($0[range]) }
            let (mean, logVariance, features) = try model.encodeWithFeatures(batch, labels: batchLabels)  // (B, D) each
            var kl = try latent.add(mean: mean, logVariance: logVariance)              // (B)
            let epsilon = Tensor.gaussian(mean.shape, using: &random)                 // the draw `reparameterize` makes
            let z: Tensor
            if model.flow != nil || !prior.isStandardNormal {    // z_T with a flow, and KL̂ in place of the closed form
                (z, kl) = model.posteriorSample(mean: mean, logVariance: logVariance, features: features, epsilon: epsilon, prior: prior)
            } else {
                z = VAE.reparameterize(mean: mean, logVariance: logVariance, noise: epsilon, using: &random).z
            }
            let logits = try model.decode(z, labels: batchLabels)                      // (B, 1, 28, 28)
            logits.withUnsafeBufferPointer { l in
                batch.withUnsafeBufferPointer { x in
                    for i in 0..<range.count {
                        let reconstruction = -likelihood.logLikelihood(output: l.baseAddress! + i * pixels,
                                                                        targets: x.baseAddress! + i * pixels, count: pixels)
                        reconstructionSum += reconstruction
                        klSum += kl[i]
                        perImage.append(-(reconstruction + kl[i]))
                        perImageReconstruction.append(reconstruction)
                        perImageKL.append(kl[i])
                    }
                }
            }
        }
        return ELBOEvaluation(count: n, elbo: MeanEstimate(perImage), reconstruction: reconstructionSum / Double(n),
                              kl: klSum / Double(n), latent: latent.result(threshold: EvaluationDefaults.activeUnitThreshold),
                              perImage: perImage, perImageReconstruction: perImageReconstruction, perImageKL: perImageKL)
    }
}
