import Foundation

/// How the gradient of the importance-weighted bound reaches the encoder. The decoder's gradient
/// is the same for both: each code's gradient weighted by its normalised weight w̃_i.
public enum ImportanceWeightedEstimator: String, Codable, Sendable, CaseIterable {
    /// The bound's own gradient (Burda, Grosse and Salakhutdinov 2016): the gradient of every
    /// log-weight, through the path z_i = μ + σ·ε_i and q's direct dependence on (μ, log σ²),
    /// weighted by w̃_i.
    case iwae
    /// The doubly reparameterised gradient (Tucker, Lawson, Gu and Maddison 2019): for the
    /// encoder only the path through z_i, with q's parameters held fixed inside log q(z_i|x),
    /// weighted by w̃_i² (at β = 1). The same expectation as `iwae`'s, with a variance that does not grow
    /// with k (the signal-to-noise ratio of `iwae`'s encoder gradient falls as 1/√k).
    case dreg

    /// "IWAE" or "DReG", as the papers write them.
    var displayName: String { self == .iwae ? "IWAE" : "DReG" }
}

/// What one importance-weighted pass measured, besides the gradients it accumulated.
public struct ImportanceWeightedTerms: Sendable {
    /// In nats per image: `reconstruction` the mean over the k·B codes of −log p(x|z_i),
    /// `kl` the closed-form KL(q(z|x) ‖ p(z)) (with a flow or the VampPrior, which have none, the
    /// mean one-sample estimate over the k·B codes; both as the ELBO reports them, for comparable
    /// training curves), `objective` the loss minimised, −(1/B) Σ_b log p̂_k(x_b).
    public var terms: ELBOTerms
    /// log p̂_k(x) of each image: the log-mean-exp of its k log-weights (β-weighted, see
    /// `VAE.accumulateImportanceWeightedGradients`).
    public var bounds: [Double]
    /// 1 / Σ_i w̃_i² of each image: k when the weights are equal, 1 when one sample has them all.
    var effectiveSampleSizes: [Double]
}

extension VAE {
    /// One forward and backward pass of the **importance-weighted bound** on a batch (B, 1, 28, 28):
    /// returns its terms and **accumulates** the gradient of the batch-mean loss into every
    /// parameter, for a plain or a conditional model, with any likelihood (`PixelLikelihood.codeLosses`)
    /// and the model's posterior and prior as parts: the Gaussian or the Gaussian followed by an
    /// inverse autoregressive flow, N(0, I) or the VampPrior. The Gaussian with N(0, I) takes
    /// either estimator, in the fused loops below (`importanceCodes`, `importanceLatentGradient`);
    /// every other combination the IWAE estimator, by `composedCodes` and
    /// `composedLatentGradient`; the rest of the pass (decoder, likelihood, weights) is the same.
    /// It is the training step (`trainingStep`, `VAE+TrainingStep.swift`) with the objective
    /// `.importanceWeighted(samples: k, estimator: estimator, beta: beta)`; this file holds what
    /// that objective brings to the step: its weights (`importanceWeights`) and its passes through
    /// the posterior, derived below.
    ///
    /// ## The bound
    /// For each image x draw k codes z_i = μ + σ ⊙ ε_i, ε_i ~ N(0, I), and weigh each by
    ///
    ///     log w_i = log p(x|z_i) + β·[log p(z_i) − log q(z_i|x)]
    ///             = log p(x|z_i) − (β/2)·Σ_d (z_id² − ε_id² − log σ_d²)        (the log 2π cancel)
    ///
    /// The loss is L = −log (1/k) Σ_i w_i = −logMeanExp_i(log w_i), averaged over the batch. With
    /// β = 1, E[−L] = L_k ≤ log p(x) is Burda et al.'s bound: L_1 is the ELBO, L_k rises with k
    /// and tends to log p(x) (`evaluateImportanceWeighted` measures the same quantity, without
    /// gradients). β < 1 weighs the prior ratio less, as KL warm-up does for the ELBO.
    ///
    /// ## The gradient, written out
    /// ∂L/∂log w_i = −w̃_i, with w̃_i = w_i / Σ_j w_j = softmax(log w)_i, so every gradient is a
    /// w̃-weighted sum of the log-weights' gradients. Write σ = e^{v/2}, v = log σ², and
    ///
    ///     log q(z|x) = −½ Σ_d [(z_d − μ_d)²/σ_d² + v_d + log 2π]
    ///
    /// - **Decoder** (θ): only log p(x|z_i) depends on θ, so ∂L/∂θ = −Σ_i w̃_i ∂log p(x|z_i)/∂θ:
    ///   the decoder's backward pass on all k·B codes at once, from the logits' gradient
    ///   w̃_i·∂(−log p(x|z_i))/∂ℓ / B (for a Bernoulli w̃_i·(σ(ℓ) − x) / B, the BCE's gradient of
    ///   each code, weighted). The likelihood's own parameters (a learned variance) get the same
    ///   w̃-weighted sum of their codes' gradients.
    /// - **Encoder** (φ, through μ and v): log w_i depends on them along the path z_i = μ + σε_i
    ///   (∂z/∂μ = 1, ∂z/∂v = σε/2) and directly, through q's parameters. log q's direct
    ///   derivatives, ∂/∂μ = ε/σ and ∂/∂v = (ε² − 1)/2, and its path derivative ∂/∂z = −ε/σ
    ///   add up to 0 in μ and −½ in v (log q(z_i|x) = −½ Σ_d (ε_d² + v_d + log 2π) as a
    ///   function of ε). With g_i = ∂L/∂z_i from the decoder's backward pass (which holds w̃_i/B
    ///   already) and z_i's prior term:
    ///
    ///       ∂L/∂μ = Σ_i [g_i + (β w̃_i / B)·z_i]
    ///       ∂L/∂v = Σ_i [g_i + (β w̃_i / B)·z_i] ⊙ σε_i/2 − β/(2B)
    ///
    ///   With k = 1 (w̃ = 1) these are the ELBO's gradients with the KL estimated from the one
    ///   sample: log q(z|x) − log p(z) in place of the closed form, whose gradients μ and
    ///   (σ² − 1)/2 are their expectations (E[z] = μ, E[z·σε] = σ²). So at k = 1 the bound is the
    ///   ELBO, and its value and gradients agree with `accumulateGradients` in expectation; with
    ///   β = 0 (no KL term) bit for bit, decoder and encoder alike (a test checks both). The
    ///   trainer trains k = 1 on the ELBO (`TrainingObjective.elbo`), whose closed-form KL has less variance.
    /// - **DReG** (`estimator: .dreg`), for the encoder only. The direct terms of log q are a
    ///   score function, −β Σ_i w̃_i ∂log q(z_i|x)/∂φ; Tucker et al. reparameterise it
    ///   (E_q[f(z) ∂log q/∂φ] = E_ε[∂f/∂z · ∂z/∂φ], with f = w̃_i and ∂w̃_i/∂z_i =
    ///   w̃_i(1 − w̃_i)·∂log w_i/∂z_i) into path terms of weight −β·w̃_i(1 − w̃_i). What is left is
    ///   the path alone, with q's parameters held fixed inside log q, and the weights
    ///   c_i = w̃_i − β·w̃_i(1 − w̃_i) = (1 − β)·w̃_i + β·w̃_i²  (w̃_i² at β = 1, as in the paper):
    ///
    ///       ∂L/∂μ = Σ_i c_i·∂(−log w_i)/∂z_i|_{q's μ, σ fixed} = Σ_i [g'_i + (β c_i / B)·(z_i − ε_i/σ)]
    ///       ∂L/∂v = Σ_i [g'_i + (β c_i / B)·(z_i − ε_i/σ)] ⊙ σε_i/2
    ///
    ///   where g'_i is ∂/∂z_i of the decoder's backward pass from the logits' gradient
    ///   c_i·(σ(ℓ) − x)/B: a second backward pass (its parameter gradients discarded; the decoder's
    ///   own are the w̃-weighted ones above), what autograd computes from the surrogate loss
    ///   −Σ_i c_i·log w_i with c and q's parameters detached. (∂/∂z of −log q with its parameters
    ///   fixed is (z − μ)/σ² = ε/σ; there is no −β/(2B): that was a direct term.) The expectation
    ///   is `iwae`'s when each code's log-weight depends on its own code alone. Batch norm
    ///   training in the decoder breaks that a little: its batch statistics couple the k·B codes,
    ///   so the identity, and with it DReG, holds only approximately there (as for any DReG with
    ///   batch statistics). At k = 1 DReG is Roeder et al.'s "sticking the landing" gradient of
    ///   the ELBO.
    ///
    /// ## Layout and cost
    /// The k·B codes run through the decoder as one batch, batch-minor ((D, k·B) in, (784, k·B)
    /// out, column s·B + b for sample s of image b), so no transpose is spent on the codes or the
    /// logits; batch norm in the decoder (in training mode) takes its statistics over all k·B.
    /// The loss and its logits' gradient come from the likelihood's `codeLosses` (for a Bernoulli
    /// the BCE's eight-lane kernel, `bceLaneTerms`, eight codes of a pixel at a time, split over
    /// the cores by blocks of codes, each code's sum in pixel order whatever the number of
    /// threads); the weights' scaling is one more pass.
    /// Buffers are allocated once per call, never inside the loops. The decoder's work, and so
    /// most of the step's, grows k-fold; the encoder's does not. DReG adds one backward pass of
    /// the decoder.
    ///
    /// ε is drawn from `random` in order sample, image, dimension ((k, B, D)), so at k = 1 it is
    /// the ELBO's draw; `noise` (k, B, D) replaces the draw (reference comparisons).
    ///
    /// A conditional model (chapter 7's CVAE, with or without a centre m_y per label) takes the
    /// labels: its encoder sees them, each code reaches the decoder as [z + m_y, one-hot y], and
    /// m_y's gradient is the decoder's ∂L/∂(z + m) summed over the image's k codes less ∂L/∂μ (μ is
    /// relative to m_y), as in the ELBO's step.
    ///
    /// - Parameters:
    ///   - targets: the images to score (default `images`; a binarized batch is both).
    ///   - labels: one label per image for a conditional model; ignored (nil) otherwise.
    ///   - samples: k ≥ 1.
    ///   - beta: the weight β ≥ 0 of the prior ratio (1: the bound itself).
    /// - Throws: `VAEConfigurationError` for a model or input this objective does not take (DReG
    ///   with a conditional model, a flow or a VampPrior, missing labels, k < 1, a bad β or shape, targets
    ///   the likelihood cannot score); `TrainingError.nonFiniteLoss` when a loss is not finite (nothing is
    ///   accumulated then).
    /// - Complexity: the encoder's passes on B images, the decoder's on k·B codes, O(k·B·784)
    ///   for the loss.
    public func accumulateImportanceWeightedGradients(images: Tensor, targets: Tensor? = nil, labels: [Int]? = nil, samples k: Int,
                                                      estimator: ImportanceWeightedEstimator = .iwae, beta: Double = 1,
                                                      noise: Tensor? = nil,
                                                      using random: inout RandomSource) throws -> ImportanceWeightedTerms {
        let step = try trainingStep(images: images, targets: targets, labels: labels,
                                    objective: .importanceWeighted(samples: k, estimator: estimator, beta: beta),
                                    noise: noise, using: &random)
        return ImportanceWeightedTerms(terms: step.terms, bounds: step.bounds, effectiveSampleSizes: step.effectiveSampleSizes)
    }

    /// The bound's objective stage: from −log p(x|z_r) and log p(z_r) − log q(z_r|x) of each code
    /// r = s·B + n, the log-weights log w_r = log p(x|z_r) + β·[log p(z_r) − log q(z_r|x)], each
    /// image's bound (the project's log-mean-exp), its normalised weights w̃ = exp(log w − log Σ w)
    /// and effective sample size 1 / Σ w̃², and the terms: the mean reconstruction over the codes,
    /// `kl` as given, the loss −(1/B) Σ_n log p̂_k(x_n).
    /// - Throws: `TrainingError.nonFiniteLoss` when a term is not finite.
    func importanceWeights(negativeLogLikelihoods: [Double], logPriorRatio: [Double], kl: Double, samples k: Int, beta: Double)
        throws -> (normalized: [Double], terms: TrainingStepTerms) {
        let codes = negativeLogLikelihoods.count, b = codes / k
        var row = [Double](repeating: 0, count: k)
        var normalized = [Double](repeating: 0, count: codes)
        var bounds = [Double](repeating: 0, count: b)
        var effective = [Double](repeating: 0, count: b)
        var loss = 0.0, reconstruction = 0.0
        let logK = log(Double(k))
        for n in 0..<b {
            for s in 0..<k {
                let r = s * b + n
                row[s] = -negativeLogLikelihoods[r] + beta * logPriorRatio[r]
                reconstruction += negativeLogLikelihoods[r]
            }
            let bound = logMeanExp(row)
            let logSum = bound + logK
            var squares = 0.0
            for s in 0..<k {
                let w = exp(row[s] - logSum)
                normalized[s * b + n] = w
                squares += w * w
            }
            bounds[n] = bound
            effective[n] = 1 / squares
            loss -= bound
        }
        reconstruction /= Double(codes)
        guard reconstruction.isFinite, kl.isFinite, loss.isFinite else {
            throw TrainingError.nonFiniteLoss(reconstruction: reconstruction, kl: kl)
        }
        return (normalized, TrainingStepTerms(terms: ELBOTerms(reconstruction: reconstruction, kl: kl, objective: loss / Double(b)),
                                              bounds: bounds, effectiveSampleSizes: effective))
    }

    /// A conditional model's decoder input, batch-minor (D + classes, k·B): column r = s·B + n holds
    /// the code z_r shifted back by the centre m_y of image n's label (when the model learns
    /// centres), then the label's one-hot.
    func conditionalDecoderInput(_ z: Tensor, onehot: Tensor, samples k: Int) -> Tensor {
        let (d, codes) = (z.shape[0], z.shape[1])
        let (b, classes) = (onehot.shape[0], onehot.shape[1])
        let centres = labelCentres.map { Tensor.matmul(onehot, $0.value).scalars }   // (B, D)
        var input = Tensor(shape: [d + classes, codes])
        input.withUnsafeMutableBufferPointer { out in
            z.withUnsafeBufferPointer { pz in
                onehot.withUnsafeBufferPointer { y in
                    for r in 0..<codes {
                        let n = r % b
                        for j in 0..<d {
                            let code = pz[j * codes + r]
                            out[j * codes + r] = centres.map { code + $0[n * d + j] } ?? code
                        }
                        for c in 0..<classes { out[(d + c) * codes + r] = y[n * classes + c] }
                    }
                }
            }
        }
        return input
    }

    /// z (D, k·B) batch-minor, z[j, s·B + n] = μ[n, j] + σ[n, j]·ε[s, n, j] (the operations of
    /// `reparameterize`, so the same bits), and −½ Σ_j (z² − ε² − log σ²) of each code in
    /// `logPriorRatio`, in Double.
    func importanceCodes(mean: Tensor, sigma: Tensor, logVariance: Tensor, epsilon: Tensor, samples k: Int,
                         logPriorRatio: inout [Double]) -> Tensor {
        let (b, d) = (mean.shape[0], mean.shape[1])
        let codes = k * b
        return mean.withUnsafeBufferPointer { mu in
            sigma.withUnsafeBufferPointer { sd in
                logVariance.withUnsafeBufferPointer { lv in
                    epsilon.withUnsafeBufferPointer { e in
                        logPriorRatio.withUnsafeMutableBufferPointer { ratio in
                            makeLayerOutput(shape: [d, codes]) { out in
                                for r in 0..<codes {
                                    let n = r % b
                                    var halfSum = 0.0
                                    for j in 0..<d {
                                        let eps = e[r * d + j]
                                        let value = mu[n * d + j] + sd[n * d + j] * eps
                                        out[j * codes + r] = value
                                        halfSum += Double(value) * Double(value) - Double(eps) * Double(eps) - Double(lv[n * d + j])
                                    }
                                    ratio[r] = -0.5 * halfSum
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Multiplies column r of `matrix` (rows, columns) by `weights[r]` (as a Float), rows shared
    /// out over the cores.
    func scaleColumns(_ matrix: inout Tensor, by weights: [Double]) {
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        let factors = weights.map { Float($0) }
        factors.withUnsafeBufferPointer { w in
            matrix.withUnsafeMutableBufferPointer { m in
                nonisolated(unsafe) let (pw, pm) = (w.baseAddress!, m.baseAddress!)
                forEachChunk(count: rows, workPerItem: columns) { range in
                    for row in range {
                        let line = pm + row * columns
                        for r in 0..<columns { line[r] *= pw[r] }
                    }
                }
            }
        }
    }

    /// ∂L/∂(μ, log σ²) (B, 2D) from the decoder's ∂L/∂z (D, k·B) (its logits weighted by w̃, or by
    /// c for DReG), the codes z (D, k·B), ε (k, B, D),
    /// σ (B, D) and the normalised weights w̃ (k·B, column order), by the formulas of
    /// `accumulateImportanceWeightedGradients` (sums over the k samples in Double).
    func importanceLatentGradient(dz: Tensor, z: Tensor, epsilon: Tensor, standardDeviation sigma: Tensor,
                                  weights: [Double], samples k: Int, beta: Double,
                                  estimator: ImportanceWeightedEstimator) -> Tensor {
        let (b, d) = (sigma.shape[0], sigma.shape[1])
        let codes = k * b
        precondition(dz.shape == [d, codes] && z.shape == [d, codes], "importanceLatentGradient: ∂L/∂z \(dz.shape) should be \([d, codes])")
        let inverseBatch = 1 / Double(b)
        var result = Tensor(shape: [b, 2 * d])
        result.withUnsafeMutableBufferPointer { out in
            dz.withUnsafeBufferPointer { g in
                z.withUnsafeBufferPointer { pz in
                    epsilon.withUnsafeBufferPointer { e in
                        sigma.withUnsafeBufferPointer { sd in
                            for n in 0..<b {
                                for j in 0..<d {
                                    var dMean = 0.0, dLogVariance = 0.0
                                    for s in 0..<k {
                                        let r = s * b + n, w = weights[r]
                                        let eps = e[r * d + j], code = Double(pz[j * codes + r])
                                        let halfSigmaEpsilon = (sd[n * d + j] * eps) * 0.5       // ∂z/∂log σ², as the ELBO's
                                        let term: Double
                                        switch estimator {
                                        case .iwae:
                                            term = Double(g[j * codes + r]) + beta * w * inverseBatch * code
                                        case .dreg:
                                            let stopped = code - Double(eps) / Double(sd[n * d + j])   // z − ε/σ
                                            let c = (1 - beta) * w + beta * w * w
                                            term = Double(g[j * codes + r]) + beta * c * inverseBatch * stopped
                                        }
                                        dMean += term
                                        dLogVariance += term * Double(halfSigmaEpsilon)
                                    }
                                    if estimator == .iwae { dLogVariance -= 0.5 * beta * inverseBatch }
                                    out[n * 2 * d + j] = Float(dMean)
                                    out[n * 2 * d + d + j] = Float(dLogVariance)
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }
}

extension VAE {
    /// The k codes of each image drawn from the posterior part, in rows (k·B, D), row r = s·B + n
    /// (z₀ = μ + σ ⊙ ε_r, or a flow's z_T of it), and log p(z) − log q(z|x) of each
    /// code into `logPriorRatio`, for the importance-weighted bound of a model whose posterior has
    /// a flow or whose prior is not N(0, I):
    ///
    ///     z₀,r = μ_n + σ_n ⊙ ε_r                  (the reparameterisation's operations, on μ and log σ² repeated k times)
    ///     z_r  = flow(z₀,r; h_n), or z₀,r         (each image's context h_n repeated likewise)
    ///     log q(z_r|x) = −½ Σ_d (ε_r,d² + log σ²_n,d + log 2π) − log-determinant_r
    ///     log p(z_r)                             (the prior's `logDensity`: N(0, I), or the VampPrior's mixture)
    ///
    /// The flow caches its pass on the k·B rows for `composedLatentGradient`.
    func composedCodes(mean: Tensor, logVariance: Tensor, features: Tensor, inputPosteriors: DiagonalGaussian?,
                       epsilon: Tensor, samples k: Int, logPriorRatio: inout [Double]) -> Tensor {
        let (b, d) = (mean.shape[0], mean.shape[1])
        let image = (0..<k * b).map { $0 % b }                                      // row r = s·B + n is image n
        let repeatedLogVariance = logVariance.rows(at: image)                       // (k·B, D)
        let rowNoise = epsilon.reshaped([k * b, d])
        var unused = RandomSource(seed: 0)
        let z0 = VAE.reparameterize(mean: mean.rows(at: image), logVariance: repeatedLogVariance, noise: rowNoise, using: &unused).z
        var z = z0, logDeterminants = [Double](repeating: 0, count: k * b)
        if let flow { (z, logDeterminants) = flow.forward(z0, context: flow.contextVectors(features).rows(at: image)) }
        let estimates = PreparedPrior(prior: prior, inputPosteriors: inputPosteriors)
            .klEstimates(z: z, epsilon: rowNoise, logVariance: repeatedLogVariance)  // log q(z₀|x) − log p(z)
        for r in 0..<k * b { logPriorRatio[r] = logDeterminants[r] - estimates[r] }
        return z
    }

    /// ∂L/∂(μ, log σ²) (B, 2D), ∂L/∂h (B, C) of a flow's context (nil without a flow) and ∂L/∂ of
    /// the prior's input posteriors (nil for a prior without them), for the IWAE estimator of the
    /// composed pass, from the decoder's ∂L/∂z (D, k·B) (its logits weighted by w̃), the codes
    /// (`composedCodes`), ε (k, B, D), σ (B, D) and the normalised weights w̃ (k·B). Since
    /// ∂L/∂log w_r = −w̃_r/B and log w_r = log p(x|z_r) + β·[log p(z_r) − log q(z_r|x)]:
    ///
    ///     ∂L/∂z_r             = g_r − (β w̃_r / B)·∂log p(z_r)/∂z_r      (for N(0, I): + (β w̃_r / B)·z_r)
    ///     ∂L/∂(log-det_r)      = −β w̃_r / B
    ///     (∂L/∂z₀, ∂L/∂h)      = flow.backward(∂L/∂z, those), or ∂L/∂z₀ = ∂L/∂z without a flow
    ///     ∂L/∂μ_n              = Σ_s ∂L/∂z₀,r
    ///     ∂L/∂log σ²_n         = Σ_s ∂L/∂z₀,r ⊙ σε_r/2 − β/(2B)                (Σ_s w̃ = 1)
    ///
    /// and ∂L/∂h_n the sum over image n's k rows; the prior's components get −(β w̃_r / B)·∂log p(z_r)
    /// with respect to them. Without a flow and with N(0, I) these are the formulas of
    /// `importanceLatentGradient`'s IWAE estimator; at k = 1 (w̃ = 1) the one-sample ELBO's.
    func composedLatentGradient(dz: Tensor, codes: Tensor, inputPosteriors: DiagonalGaussian?,
                                epsilon: Tensor, standardDeviation sigma: Tensor, weights: [Double],
                                samples k: Int, beta: Double)
        -> (statistics: Tensor, context: Tensor?, inputPosteriors: DiagonalGaussian?) {
        let (b, d) = (sigma.shape[0], sigma.shape[1])
        let count = k * b
        precondition(dz.shape == [d, count] && codes.shape == [count, d], "composedLatentGradient: ∂L/∂z \(dz.shape) should be \([d, count])")
        let inverseBatch = 1 / Double(b)
        let (priorGradient, dInputPosteriors) = prior.logDensityGradients(
            codes, inputPosteriors: inputPosteriors, rowWeights: weights.map { -beta * $0 * inverseBatch })
        // ∂L/∂z back in rows (k·B, D): the decoder's and the prior's.
        var dzRows = Tensor(shape: [count, d])
        dzRows.withUnsafeMutableBufferPointer { out in
            dz.withUnsafeBufferPointer { g in
                priorGradient.withUnsafeBufferPointer { p in
                    for r in 0..<count { for j in 0..<d { out[r * d + j] = g[j * count + r] + p[r * d + j] } }
                }
            }
        }
        var dz0 = dzRows, dh: Tensor? = nil
        if let flow {
            (dz0, dh) = flow.backward(dzRows, logDeterminantGradients: weights.map { Float(-beta * $0 * inverseBatch) })
        }
        var statistics = Tensor(shape: [b, 2 * d])
        statistics.withUnsafeMutableBufferPointer { out in
            dz0.withUnsafeBufferPointer { g in
                epsilon.withUnsafeBufferPointer { e in
                    sigma.withUnsafeBufferPointer { sd in
                        for n in 0..<b {
                            for j in 0..<d {
                                var dMean = 0.0, dLogVariance = 0.0
                                for s in 0..<k {
                                    let r = s * b + n
                                    let term = Double(g[r * d + j])
                                    dMean += term
                                    dLogVariance += term * Double((sd[n * d + j] * e[r * d + j]) * 0.5)
                                }
                                out[n * 2 * d + j] = Float(dMean)
                                out[n * 2 * d + d + j] = Float(dLogVariance - 0.5 * beta * inverseBatch)
                            }
                        }
                    }
                }
            }
        }
        return (statistics, dh.map { sumOverSamples($0, samples: k) }, dInputPosteriors)
    }

    /// The sum over each image's k rows of a (k·B, C) matrix, row r = s·B + n: (B, C), in Double.
    func sumOverSamples(_ rows: Tensor, samples k: Int) -> Tensor {
        guard k > 1 else { return rows }                                           // one sample: the rows themselves
        let (count, width) = (rows.shape[0], rows.shape[1])
        let b = count / k
        var result = Tensor(shape: [b, width])
        result.withUnsafeMutableBufferPointer { out in
            rows.withUnsafeBufferPointer { g in
                for n in 0..<b {
                    for c in 0..<width {
                        var sum = 0.0
                        for s in 0..<k { sum += Double(g[(s * b + n) * width + c]) }
                        out[n * width + c] = Float(sum)
                    }
                }
            }
        }
        return result
    }
}

/// The memory of a training step on the importance-weighted bound, estimated before training, so
/// that a k too large for the machine is refused in words rather than ending in the kernel's
/// out-of-memory kill.
public enum ImportanceWeightedMemory {
    /// A rough count of the bytes the decoder holds per code during a training step: four floats
    /// per output value of every layer (its output, what its backward pass keeps, the gradient
    /// flowing back, one spare), plus the column matrix of each (transposed) convolution. The
    /// reference decoder comes to about 0.58 MB per code.
    public static func decoderBytesPerCode(_ model: VAEConfiguration) throws -> Int {
        let layout = try model.architecture.resolve(latentDimensions: model.latentDimensions, classCount: model.classCount)
        /// The layer's output shape and its floats. A residual block keeps its input's shape, and
        /// its body's shapes come from the walk through it, so each layer is visited once however
        /// deeply blocks nest.
        func floats(_ spec: LayerSpec, input: [Int]) throws -> (output: [Int], floats: Int) {
            let output = spec.type == .residual ? input : try spec.outputShape(forInput: input, at: "a residual block")
            var total = 4 * output.reduce(1, *)
            switch spec.operation {
            case .conv(_, let kernel, _, _) where output.count == 3: total += input[0] * kernel * kernel * output[1] * output[2]
            case .deconv(_, let kernel, _, _, _) where input.count == 3: total += output[0] * kernel * kernel * input[1] * input[2]
            case .residual(let body):
                var shape = input
                for inner in body {
                    let (next, count) = try floats(inner, input: shape)
                    total += count
                    shape = next
                }
            case .conv, .deconv, .upsample, .linear, .batchNorm, .relu, .leakyReLU, .elu, .swish, .flatten, .reshape: break
            }
            return (output, total)
        }
        return try layout.decoder.reduce(0) { $0 + 4 * (try floats($1.spec, input: $1.input).floats) }
    }

    /// The codes the importance-weighted evaluation decodes at once, `chunkSize` but never more
    /// than a batch's B·k, once its buffers (the (B, k) log-weights and the decoder's activations
    /// on a chunk, by `decoderBytesPerCode`) are known to fit in the memory one computation may
    /// take (`MemoryBudget`).
    ///
    /// The sizes come from the command line (`-k`, `--batch-size`, `--chunk-size`), so they are
    /// checked here, before anything is allocated; commands call this before their first long
    /// step, so that a k too large is refused at once rather than after the ELBO's pass.
    /// - Throws: `MemoryBudgetError` naming the buffer that does not fit.
    public static func evaluationChunk(model: VAEConfiguration, samples k: Int, batchSize: Int, chunkSize: Int) throws -> Int {
        let images = "\(batchSize) image\(batchSize == 1 ? "" : "s")"
        let weights = try MemoryBudget.bytes([batchSize, k], bytesPerElement: MemoryLayout<Double>.size,
                                             for: "the log-weights of \(images) at k = \(k)")
        let chunk = min(chunkSize, batchSize * k)      // cannot overflow: the log-weights' bytes did not
        try MemoryBudget.total([
            weights,
            try MemoryBudget.bytes([chunk, try decoderBytesPerCode(model)], bytesPerElement: 1,
                                   for: "the decoder's activations on a chunk of \(chunk) codes"),
        ], for: "the importance-weighted estimate at k = \(k) (batch \(batchSize), chunk \(chunk))")
        return chunk
    }

    /// nil when k codes for each of `batchSize` images fit in the memory one computation may take
    /// (`MemoryBudget`, half of this machine's) by `decoderBytesPerCode`; else the refusal, in words.
    public static func refusal(samples k: Int, batchSize: Int, model: VAEConfiguration) throws -> String? {
        do {
            try MemoryBudget.bytes([k, batchSize, try decoderBytesPerCode(model)], bytesPerElement: 1,
                                   for: "the decoder's activations (a rough count) of k = \(k) importance samples of each of \(batchSize) images")
            return nil
        } catch let error as MemoryBudgetError {
            return "\(error): lower k or the batch size"
        }
    }
}
