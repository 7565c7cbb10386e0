import Foundation

/// What a training step minimises: the objective part of the step, given the codes' likelihoods
/// and the posterior's KL (or its log-ratio to the prior at each code).
enum TrainingObjective: Sendable, Equatable {
    /// The evidence lower bound, one code per image: −log p(x|z) + the KL term that `kl` weighs
    /// (β·KL, or the capacity objective's γ·|KL − C|), with free bits λ nats per dimension (nil:
    /// none). Its KL is the prior's closed form where there is one (`VAE.accumulateGradients`
    /// derives the step), else the one-sample KL̂ = log q(z|x) − log p(z) at the code
    /// (`VAE+Flow.swift`).
    case elbo(KLObjective, freeBits: Double? = nil)
    /// The importance-weighted bound with k codes per image, −log (1/k) Σ_i w_i, the prior ratio
    /// in each log-weight weighted by β, its encoder gradient by `estimator`
    /// (`VAE.accumulateImportanceWeightedGradients` derives the step).
    case importanceWeighted(samples: Int, estimator: ImportanceWeightedEstimator = .iwae, beta: Double = 1)

    /// The codes drawn per image: 1 for the ELBO, k for the bound.
    var samplesPerImage: Int {
        switch self {
        case .elbo: 1
        case .importanceWeighted(let k, _, _): k
        }
    }
}

/// What one training step measured, besides the gradients it accumulated.
struct TrainingStepTerms {
    /// The loss terms in nats per image (`ImportanceWeightedTerms.terms` says what each holds
    /// for the bound).
    var terms: ELBOTerms
    /// The bound only: log p̂_k(x) of each image and 1 / Σ_i w̃_i² of its weights (empty for the ELBO).
    var bounds: [Double] = []
    var effectiveSampleSizes: [Double] = []
}

extension VAE {
    /// One training step on a batch (B, 1, 28, 28), for every objective, posterior, prior and
    /// likelihood the model can have: returns the terms in nats per image and **accumulates** the
    /// gradient of the batch-mean loss into every parameter. It is chapter 5's written-out step
    /// with each stage a part, forward then the same chain in reverse:
    ///
    ///     1. encode       (μ, log σ²) = encoder(x [, y]), and the prior's own images' posteriors
    ///     2. posterior    k codes per image: z₀ = μ + σ ⊙ ε, then the flow's z_T of it (`PosteriorFlow`)
    ///     3. decode       ℓ = decoder(z [+ m_y, y]) on all k·B codes at once, batch-minor
    ///     4. likelihood   −log p(x|z) and its gradient ∂/∂ℓ (`PixelLikelihood`)
    ///     5. objective    the loss from the likelihoods and the KL (`Prior`), and each code's weight
    ///     5′. objective   the weighted ∂L/∂ℓ (the ELBO's weight is 1, the bound's w̃ of each code)
    ///     3′. decode      ∂L/∂z = decoder.backward(∂L/∂ℓ)
    ///     2′. posterior   ∂L/∂(μ, log σ²) through the flow and the reparameterisation, with the
    ///                     KL's own gradients; a label centre's, the flow context's, the prior's
    ///     1′. encode      encoder.backward(∂L/∂(μ, log σ²)), then the prior's images'
    ///
    /// The objective decides two things: how the likelihood scores the codes (the ELBO needs the
    /// batch's mean, which `PixelLikelihood.loss` sums in the order chapter 5's written-out step
    /// does, a learned likelihood's own gradient accumulated with it in stage 4; the bound needs
    /// each code's, `codeLosses`, and accumulates the learned gradient weighted in 5′) and how the
    /// KL enters stage 2′ (the ELBO's closed form or one-sample KL̂ in `latentGradient`; the
    /// bound's w̃-weighted log-ratios, in one fused pass for the Gaussian with N(0, I), where DReG
    /// is written, else through the parts). What stage 2 drew (`Draw`) and stage 5 weighed
    /// (`Weighing`) is handed on as a value, a case for each way of drawing, so the compiler checks
    /// that every switch over them handles each. Each objective's maths is derived where its
    /// public entry is: `accumulateGradients` (the ELBO), `VAE+Flow.swift` (its one-sample KL̂),
    /// `accumulateImportanceWeightedGradients` (the bound and DReG).
    ///
    /// The decoder runs on batch-minor codes (D, k·B) for both objectives. Transposes are exact,
    /// and the ELBO's step transposes exactly where the decoder's own `forward` and `backward` on
    /// rows would, so its bits are those of a pass written on rows (chapter 5's).
    ///
    /// ε is drawn from `random` in order sample, image, dimension ((k, B, D)); `noise` (k, B, D)
    /// replaces the draw (reference comparisons).
    /// - Throws: `VAEConfigurationError` for a model, objective or input the step does not take
    ///   (in words), before any layer runs; `TrainingError.nonFiniteLoss` when a loss is not finite,
    ///   before the backward pass (the trainer stops then; only a learned likelihood's own
    ///   gradient may have been accumulated, by the ELBO's `loss`).
    func trainingStep(images: Tensor, targets: Tensor? = nil, labels: [Int]? = nil, objective: TrainingObjective,
                      noise: Tensor? = nil, using random: inout RandomSource) throws -> TrainingStepTerms {
        try refuseUnsupported(objective)
        let targets = targets ?? images
        let k = objective.samplesPerImage
        let (b, d) = (images.shape.first ?? 0, configuration.latentDimensions)
        guard targets.shape == images.shape else {
            throw VAEConfigurationError("the targets \(targets.shape) must have the images' shape \(images.shape)")
        }
        let (codes, overflow) = k.multipliedReportingOverflow(by: b)
        guard !overflow else { throw VAEConfigurationError("k = \(k) samples of \(b) images are too many codes") }
        if let noise, noise.shape != [k, b, d] {
            throw VAEConfigurationError("the noise must be (k, B, D) = \([k, b, d]), not \(noise.shape)")
        }

        // 1. Encode: q(z|x)'s (μ, log σ²) (B, D) each, the encoder's features (B, F) (a flow's
        // context is computed from them) and, for a prior with images of its own, their posteriors.
        let (mean, logVariance, features, priorPass) = try encodeForTraining(images, labels: labels)
        let onehot = try condition(labels, batch: b)                                // (B, classes), conditional only
        let inputPosteriors = priorPass?.posteriors
        let epsilon = noise ?? Tensor.gaussian([k, b, d], using: &random)          // (k, B, D)
        let sigma = logVariance.map { exp(0.5 * $0) }                               // (B, D)

        // 2. Posterior: the k codes of each image, batch-minor for the decoder (D, k·B), column
        // r = s·B + n for sample s of image n, and what the objective reads of them (`Draw`).
        let draw: Draw, columns: Tensor
        switch objective {
        case .elbo(let klObjective, let freeBits):
            // One code per image: z₀ = μ + σ ⊙ ε (the reparameterisation, chapter 4), then the
            // flow's z_T of it.
            let epsilonRows = epsilon.reshaped([b, d])
            let z0 = mean + sigma * epsilonRows
            let flowing = flowCodes(z0, features: features)                        // z_T and its log-determinants
            let z = flowing?.z ?? z0
            draw = .oneCode(z: z, epsilon: epsilonRows, flowing: flowing, kl: klObjective, freeBits: freeBits)
            columns = batchMinor(z)
        case .importanceWeighted(_, let estimator, let beta) where flow == nil && configuration.prior.hasClosedFormKL:
            // The Gaussian with N(0, I): one fused pass writes the codes batch-minor and each
            // code's log p(z) − log q(z|x).
            var logPriorRatio = [Double](repeating: 0, count: codes)
            columns = importanceCodes(mean: mean, sigma: sigma, logVariance: logVariance, epsilon: epsilon,
                                      samples: k, logPriorRatio: &logPriorRatio)
            draw = .fused(logPriorRatio: logPriorRatio, estimator: estimator, beta: beta)
        case .importanceWeighted(_, _, let beta):
            // A flow or another prior: the codes in rows through the parts, then transposed.
            var logPriorRatio = [Double](repeating: 0, count: codes)
            let z = composedCodes(mean: mean, logVariance: logVariance, features: features, inputPosteriors: inputPosteriors,
                                  epsilon: epsilon, samples: k, logPriorRatio: &logPriorRatio)
            draw = .composed(rows: z, logPriorRatio: logPriorRatio, beta: beta)
            columns = batchMinor(z)
        }

        // 3. Decode all k·B codes as one batch: a conditional model's decoder sees each code
        // shifted back by its label's centre, and the label, (D + classes, k·B).
        let decoderInput = onehot.map { conditionalDecoderInput(columns, onehot: $0, samples: k) } ?? columns
        let logits = decoder.forwardBatchMinor(decoderInput, sampleShape: [decoderInput.shape[0]])   // (784, k·B)
        precondition(logits.shape[0] * b == targets.count && logits.shape[1] == codes,
                     "the decoder's output \(logits.shape) does not fit the targets \(targets.shape)")

        // 4. Likelihood, and 5. objective: the likelihood scores the codes (−log p(x|z) and its
        // gradient ∂/∂ℓ / B), the objective makes the loss from them and the KL.
        /// The bound's stages 4 and 5, for either of its draws: −log p(x|z) of each code and its
        /// gradient ∂/∂ℓ / B, the KL as the ELBO reports it (the Gaussian's closed form from
        /// N(0, I), or for a flow or another prior, which have none, the mean one-sample estimate
        /// over the codes), the log-weights' normalised weights w̃ and the terms.
        func scoreBound(logPriorRatio: [Double], beta: Double, closedFormKL: Bool) throws
            -> (gradient: Tensor, normalized: [Double], targets: Tensor, terms: TrainingStepTerms) {
            let x = batchMinor(targets)                                             // (784, B)
            var negativeLogLikelihoods = [Double](repeating: 0, count: codes)
            let gradient = try likelihood.codeLosses(logits: logits, targets: x, negativeLogLikelihoods: &negativeLogLikelihoods)
            let kl = closedFormKL
                ? try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample).value
                : -logPriorRatio.reduce(0, +) / Double(codes)
            let weighed = try importanceWeights(negativeLogLikelihoods: negativeLogLikelihoods, logPriorRatio: logPriorRatio,
                                                kl: kl, samples: k, beta: beta)
            return (gradient, weighed.normalized, x, weighed.terms)
        }
        let weighing: Weighing, result: TrainingStepTerms
        var logitsGradient: Tensor                                                  // ∂L/∂ℓ (784, k·B)
        switch draw {
        case .oneCode(let z, let epsilonRows, let flowing, let klObjective, let freeBits):
            // The batch's mean −log p(x|z) and ∂/∂ℓ, on the logits as images (B, 1, 28, 28); a
            // learned likelihood's own gradient is accumulated here.
            let reconstruction = try likelihood.loss(output: batchMajor(logits, sampleShape: Array(targets.shape.dropFirst())),
                                                     targets: targets)
            // The prior's KL term (`Prior.klTerm`, or with a flow `Prior.oneSampleKLTerm`): `kl` the
            // KL as reported, `objective` what the objective weighs (for N(0, I) with free bits, at
            // least λ per dimension).
            let term = try flowing.map {
                try prior.oneSampleKLTerm(z: z, epsilon: epsilonRows, logVariance: logVariance, logDeterminants: $0.logDeterminants,
                                          inputPosteriors: inputPosteriors)
            } ?? prior.klTerm(mean: mean, logVariance: logVariance, z: z, epsilon: epsilonRows, freeBits: freeBits,
                              inputPosteriors: inputPosteriors)
            let klWeight = klObjective.klWeight(kl: term.objective.value)
            guard reconstruction.value.isFinite, term.kl.value.isFinite else {
                throw TrainingError.nonFiniteLoss(reconstruction: reconstruction.value, kl: term.kl.value)
            }
            weighing = .elbo(term, klWeight: klWeight, epsilon: epsilonRows, flows: flowing != nil)
            logitsGradient = batchMinor(reconstruction.gradient)
            result = TrainingStepTerms(terms: ELBOTerms(reconstruction: reconstruction.value, kl: term.kl.value,
                                                        objective: klObjective.value(kl: term.objective.value) + reconstruction.value))
        case .fused(let logPriorRatio, let estimator, let beta):
            let scored = try scoreBound(logPriorRatio: logPriorRatio, beta: beta, closedFormKL: true)
            (logitsGradient, result) = (scored.gradient, scored.terms)
            weighing = .fusedBound(normalized: scored.normalized, targets: scored.targets, estimator: estimator, beta: beta)
        case .composed(let rows, let logPriorRatio, let beta):
            let scored = try scoreBound(logPriorRatio: logPriorRatio, beta: beta, closedFormKL: false)
            (logitsGradient, result) = (scored.gradient, scored.terms)
            weighing = .composedBound(rows: rows, normalized: scored.normalized, targets: scored.targets, beta: beta)
        }

        // 5′. Each code's gradient weighted: the ELBO's by 1, the bound's by its w̃ (and the
        // learned likelihood's own gradient with it). DReG's encoder takes the likelihood's path
        // with the weights c = (1 − β)·w̃ + β·w̃² instead.
        var dregGradient: Tensor? = nil
        switch weighing {
        case .elbo:
            break
        case .fusedBound(let normalized, let x, _, _), .composedBound(_, let normalized, let x, _):
            if case .fusedBound(_, _, .dreg, let beta) = weighing {
                dregGradient = logitsGradient
                scaleColumns(&dregGradient!, by: normalized.map { (1 - beta) * $0 + beta * $0 * $0 })
            }
            likelihood.accumulateCodeParameterGradients(logits: logits, targets: x, weights: normalized)
            scaleColumns(&logitsGradient, by: normalized)                           // w̃_i·∂(−log p(x|z_i))/∂ℓ / B
        }

        // 3′. Back through the decoder: ∂L/∂z of every code, (D [+ classes], k·B), and only the
        // code's rows of it. DReG's second pass gives its encoder gradient; the decoder's
        // parameter gradients of that pass are put back.
        var dz = decoder.backwardBatchMinor(logitsGradient)
        if let dregGradient {
            let decoderGradients = decoder.parameters.map(\.gradient)
            dz = decoder.backwardBatchMinor(dregGradient)
            for (p, g) in zip(decoder.parameters, decoderGradients) { p.gradient = g }
        }
        if onehot != nil { dz = dz.rows(0..<d) }                                   // (D, k·B)

        // 2′. Back through the posterior, with the objective's KL: ∂L/∂(μ, log σ²) (B, 2D), the
        // flow context's ∂L/∂features (B, F), and ∂L/∂ of the prior's images' posteriors.
        let dStatistics: Tensor
        var dFlowFeatures: Tensor? = nil
        var priorGradient: (posteriors: DiagonalGaussian, weight: Float)? = nil
        switch weighing {
        case .elbo(let term, let klWeight, let epsilonRows, let flows):
            // ∂L/∂z: the decoder's, and the KL̂'s when it depends on z; then through the flow,
            // and the reparameterisation with the KL's own gradients (`latentGradient`).
            var dzRows = batchMajor(dz, sampleShape: [d])                           // (B, D)
            VAE.addCodeGradient(term, into: &dzRows, klWeight: klWeight)
            if flows { (dzRows, dFlowFeatures) = flowBackward(dzRows, klWeight: klWeight) }
            dStatistics = VAE.latentGradient(dz: dzRows, epsilon: epsilonRows, standardDeviation: sigma,
                                             kl: term.objective, klWeight: Float(klWeight))
            priorGradient = term.inputPosteriorGradient.map { ($0, Float(klWeight)) }
        case .fusedBound(let normalized, _, let estimator, let beta):
            dStatistics = importanceLatentGradient(dz: dz, z: columns, epsilon: epsilon, standardDeviation: sigma,
                                                   weights: normalized, samples: k, beta: beta, estimator: estimator)
        case .composedBound(let rows, let normalized, _, let beta):
            let (statistics, dContext, dInputPosteriors) = composedLatentGradient(
                dz: dz, codes: rows, inputPosteriors: inputPosteriors, epsilon: epsilon, standardDeviation: sigma,
                weights: normalized, samples: k, beta: beta)
            dStatistics = statistics
            if let flow, let dContext { dFlowFeatures = flow.contextBackward(dContext) }
            priorGradient = dInputPosteriors.map { ($0, 1) }
        }
        if let onehot, let labelCentres {
            // The label centres: m_y enters twice, −m_y in μ and +m_y at the decoder's input (z
            // is the code relative to m_y, which the prior sees). Its gradient is the sum of
            // both, the decoder's ∂L/∂(z + m) summed over each image's k codes less ∂L/∂μ, into
            // the row of each image's label.
            let dCentres = sumOverSamples(batchMajor(dz, sampleShape: [d]), samples: k) - dStatistics.columns(0..<d)   // (B, D)
            labelCentres.gradient = labelCentres.gradient + Tensor.matmul(onehot, dCentres, transposeA: true)
        }

        // 1′. Back through the encoder: the head, the flow's context beside it, the layers; then
        // the prior's own images.
        var dFeatures = encoderHead.backward(dStatistics)                           // (B, F [+ classes])
        if onehot != nil { dFeatures = dFeatures.columns(0..<featureCount) }
        if let dFlowFeatures { add(dFlowFeatures, into: &dFeatures) }
        _ = encoderBody.backward(dFeatures)
        if let priorPass, let priorGradient {
            priorBackward(priorPass, inputPosteriorGradient: priorGradient.posteriors, weight: priorGradient.weight)
        }
        return result
    }

    /// What stage 2 of `trainingStep` drew, as its objective's later stages read it, with the
    /// objective's settings.
    private enum Draw {
        /// The ELBO's one code of each image in rows (B, D), its ε (B, D), the flow's pass (z_T and
        /// each row's log-determinant) when q has a flow, and the KL term's settings.
        case oneCode(z: Tensor, epsilon: Tensor, flowing: (z: Tensor, logDeterminants: [Double])?, kl: KLObjective, freeBits: Double?)
        /// The bound's k·B codes of the Gaussian with N(0, I), drawn by the fused pass straight
        /// into the decoder's layout, and each code's log p(z) − log q(z|x).
        case fused(logPriorRatio: [Double], estimator: ImportanceWeightedEstimator, beta: Double)
        /// The bound's codes through the posterior's and the prior's parts, in rows (k·B, D), and
        /// each code's log p(z) − log q(z|x) (the IWAE estimator).
        case composed(rows: Tensor, logPriorRatio: [Double], beta: Double)
    }

    /// What stage 5 of `trainingStep` leaves for the backward pass.
    private enum Weighing {
        /// The ELBO: the prior's KL term, the weight the objective gives it (β, or ±γ), ε in rows,
        /// and whether the code went through a flow.
        case elbo(PriorKLTerm, klWeight: Double, epsilon: Tensor, flows: Bool)
        /// The bound, fused or through the parts: each code's normalised weight w̃ (k·B) and the
        /// targets (784, B) a learned likelihood's own gradient is scored against.
        case fusedBound(normalized: [Double], targets: Tensor, estimator: ImportanceWeightedEstimator, beta: Double)
        case composedBound(rows: Tensor, normalized: [Double], targets: Tensor, beta: Double)
    }

    /// Refuses, in words, an objective this model cannot train on.
    private func refuseUnsupported(_ objective: TrainingObjective) throws {
        switch objective {
        case .elbo(let klObjective, let freeBits):
            guard flow != nil else { return }
            guard freeBits == nil else {
                throw VAEConfigurationError("free bits clamp the Gaussian's closed-form KL, which a model with an IAF posterior does not use; leave them unset")
            }
            guard case .beta(let beta) = klObjective else {
                throw VAEConfigurationError("a model with an IAF posterior trains with a KL weight β (constant or warm-up), not the capacity objective")
            }
            guard beta.isFinite, beta >= 0 else { throw VAEConfigurationError("β must be a number ≥ 0, not \(beta)") }
        case .importanceWeighted(let k, let estimator, let beta):
            guard configuration.classCount == 0 || estimator == .iwae else {
                throw VAEConfigurationError("DReG holds q's parameters fixed inside log q(z|x), and a label's centre is both q's and the decoder's; train a conditional model with the IWAE estimator")
            }
            guard flow == nil || estimator == .iwae else {
                throw VAEConfigurationError("DReG holds q's parameters fixed inside log q(z|x), which with an IAF posterior needs the flow's inverse (not written); train a flow model with the IWAE estimator")
            }
            guard configuration.prior.hasClosedFormKL || estimator == .iwae else {
                throw VAEConfigurationError("DReG is written for the N(0, I) prior, not \(configuration.prior.summary); train it with the IWAE estimator")
            }
            guard k >= 1 else { throw VAEConfigurationError("the number of importance samples k must be at least 1, not \(k)") }
            guard beta.isFinite, beta >= 0 else { throw VAEConfigurationError("β must be a number ≥ 0, not \(beta)") }
        }
    }
}
