import Foundation

extension MultimodalVAE {
    /// `accumulateGradients` with K ≥ 2 codes per subset and tuple
    /// (`MultimodalConfiguration.importanceSamples`): each subset's ELBO becomes its K-sample
    /// importance-weighted bound, the objective of MMVAE+ (Palumbo, Daunhawer & Vogt 2023) on the
    /// products of experts. **Accumulates** the gradient of the batch-mean loss and returns the terms.
    ///
    /// ## The bound
    /// For subset S and tuple n draw K whole codes u_j = μ_S + σ_S ⊙ ε_j (the shared code from
    /// S's product, the private code of an observed image from its encoder, an unobserved one from
    /// its prior: μ = 0, σ = 1), and weigh each by
    ///
    ///     log w_j = Σ_{m reconstructed by S} λ_m log p(x_m | u_j) + β·[log p(u_j) − log q_S(u_j)]
    ///             = Σ_m λ_m log p(x_m | u_j) − (β/2)·Σ_d (u_jd² − ε_jd² − log σ_d²);
    ///
    /// an unobserved private code adds nothing to the second term (u = ε, log σ² = 0). The loss is
    ///
    ///     L = w_S-weighted sum over S of −(1/B) Σ_n log (1/K) Σ_j w_j,
    ///
    /// with the subsets' weights of the ELBO (1 for MVAE, 1/|𝒮| for MoPoE), plus JMVAE's
    /// alignment term as before. At K = 1 it would be the ELBO with a sampled KL; K = 1 trains by
    /// `accumulateGradients`' closed form instead, and this method is only used for K ≥ 2.
    ///
    /// Why it matters for cross-generation: in the label-only subset the code u_j draws the digit's
    /// private code from the prior, and a single draw must explain every digit of the class, so the
    /// ELBO's best answer is the class average. With K draws, the normalised weights w̃_j =
    /// softmax_j(log w_j) all but pick the draw whose private code happens to suit the digit, and
    /// only that draw is asked to redraw it: the private codes the prior gives are free to mean
    /// different hands.
    ///
    /// ## The gradient
    /// As `VAE.accumulateImportanceWeightedGradients`, per subset (its formulas there): each
    /// decoder's rows of subset S are weighted by w_S·λ_m·w̃_j/B; the encoders see, through the
    /// product's backward pass and each observed private code's columns, per sample j
    ///
    ///     iwae: ∂L/∂μ_S = Σ_j [g_j + (w_S β w̃_j / B)·u_j],   ∂L/∂log σ²_S = Σ_j [same] ⊙ σε_j/2 − w_S β/(2B)
    ///     dreg: ∂L/∂μ_S = Σ_j [g'_j + (w_S β c_j / B)·(u_j − ε_j/σ)],   ∂L/∂log σ²_S = Σ_j [same] ⊙ σε_j/2
    ///
    /// with c_j = (1 − β)·w̃_j + β·w̃_j², g_j the decoders' gradient with respect to u_j from the
    /// w̃-weighted rows, g'_j from a second backward pass of each decoder with the c-weighted
    /// rows (whose parameter gradients are discarded).
    ///
    /// ε is drawn per subset as (K·B, codeWidth), row j·B + n for sample j of tuple n; `noise`
    /// replaces the draws (reference comparisons). `reconstruction` reports the mean over the K·B
    /// codes of −log p(x_m | u), `kl` the closed-form KL of each subset's posterior, as K = 1
    /// reports them.
    func accumulateImportanceWeightedGradients(inputs: [Tensor], targets: [Tensor], beta: Double, noise: [Tensor]?,
                                               using random: inout RandomSource) throws -> MultimodalTerms {
        let k = configuration.importanceSamples, estimator = configuration.importanceEstimator
        let b = try checkBatch(inputs)
        guard try checkBatch(targets) == b else { throw VAEConfigurationError("targets and inputs differ in batch size") }
        let width = codeWidth, rowsPerSubset = k * b
        if let noise {
            guard noise.count == subsets.count, noise.allSatisfy({ $0.shape == [rowsPerSubset, width] }) else {
                throw VAEConfigurationError("noise must be one (\(rowsPerSubset), \(width)) tensor per subset (\(subsets.count)), not \(noise.map(\.shape))")
            }
        }
        let encoded = try modalities.indices.map { split(try modalities[$0].encode(inputs[$0]), of: $0) }

        // Each subset's posterior, its K·B codes and their log p(u) − log q_S(u).
        var products: [ExpertProduct] = [], sigmas: [Tensor] = [], epsilons: [Tensor] = [], codes: [Tensor] = []
        var logRatios: [[Double]] = [], kls: [KLDivergenceResult] = []
        for (s, subset) in subsets.enumerated() {
            let (product, q) = try codePosterior(experts: subset.map { encoded[$0].shared },
                                                 privates: modalities.indices.map { subset.contains($0) ? encoded[$0].private : nil })
            products.append(product)
            kls.append(try klDivergenceStandardNormal(mean: q.mean, logVariance: q.logVariance, reduction: .sumPerSample))
            let epsilon = noise?[s] ?? Tensor.gaussian([rowsPerSubset, width], using: &random)
            let sigma = q.logVariance.map { exp(0.5 * $0) }
            var u = Tensor(shape: [rowsPerSubset, width])
            var ratio = [Double](repeating: 0, count: rowsPerSubset)
            for r in 0..<rowsPerSubset {
                let n = r % b
                var halfSum = 0.0
                for c in 0..<width {
                    let eps = epsilon.scalars[r * width + c], lv = q.logVariance.scalars[n * width + c]
                    let value = q.mean.scalars[n * width + c] + sigma.scalars[n * width + c] * eps
                    u.scalars[r * width + c] = value
                    halfSum += Double(value) * Double(value) - Double(eps) * Double(eps) - Double(lv)
                }
                ratio[r] = -0.5 * halfSum
            }
            sigmas.append(sigma)
            epsilons.append(epsilon)
            codes.append(u)
            logRatios.append(ratio)
        }

        // Each decoder once on the stacked codes of the subsets that target it; each row's
        // log-likelihood into its code's log-weight.
        let w = subsetWeight
        var logWeights = logRatios.map { $0.map { beta * $0 } }
        var reconstruction = [[Double?]](repeating: [Double?](repeating: nil, count: modalities.count), count: subsets.count)
        var rowsOf: [[Int]] = [], rawGradients: [[Tensor]] = []
        for (m, modality) in modalities.enumerated() {
            let rows = subsets.indices.filter { reconstructed(by: subsets[$0]).contains(m) }
            let z = rows.dropFirst().reduce(decoderInput(m, code: codes[rows[0]])) {
                Tensor.concatenateRows($0, decoderInput(m, code: codes[$1]))                   // (R·K·B, D + P_m)
            }
            let output = modality.decode(z)
            let target = Tensor(shape: [rowsPerSubset] + targets[m].shape.dropFirst(),
                                scalars: Array(repeatElement(targets[m].scalars, count: k).joined()))
            var gradients: [Tensor] = []
            for (r, s) in rows.enumerated() {
                let block = output.rowBlock(r, of: rows.count)
                let loss = try modality.reconstructionLoss(output: block, target: target)   // gradient of the mean over K·B rows
                let logLikelihoods = modality.logLikelihoods(output: block, target: target)
                guard loss.value.isFinite, logLikelihoods.allSatisfy(\.isFinite) else {
                    throw TrainingError.nonFiniteLoss(reconstruction: loss.value, kl: kls.map(\.value).reduce(0, +))
                }
                reconstruction[s][m] = loss.value
                let lambda = configuration.modalities[m].weight
                for (row, value) in logLikelihoods.enumerated() { logWeights[s][row] += lambda * value }
                gradients.append(loss.gradient)
            }
            rowsOf.append(rows)
            rawGradients.append(gradients)
        }

        // The normalised weights w̃ of each tuple's K codes, the bound, and DReG's c.
        var normalized = logWeights.map { [Double](repeating: 0, count: $0.count) }
        var objective = 0.0
        let logK = log(Double(k))
        for s in subsets.indices {
            for n in 0..<b {
                let row = (0..<k).map { logWeights[s][$0 * b + n] }
                let bound = logMeanExp(row)
                for j in 0..<k { normalized[s][j * b + n] = exp(row[j] - bound - logK) }
                objective -= w * bound / Double(b)
            }
        }
        let dregWeights = normalized.map { $0.map { (1 - beta) * $0 + beta * $0 * $0 } }

        // Back through the decoders: rows weighted by w·λ_m·w̃ (K·B rows averaged, so ·K); for DReG
        // a second pass with c in place of w̃ gives the encoders' path gradient.
        var du = [Tensor](repeating: Tensor(shape: [rowsPerSubset, width]), count: subsets.count)
        for (m, modality) in modalities.enumerated() {
            let rows = rowsOf[m]
            let scale = w * configuration.modalities[m].weight * Double(k)
            func weighted(_ weights: [[Double]]) -> Tensor {
                let blocks = rows.enumerated().map { r, s in scaledRows(rawGradients[m][r], by: weights[s].map { Float(scale * $0) }) }
                return blocks.dropFirst().reduce(blocks[0]) { Tensor.concatenateRows($0, $1) }
            }
            var dCodes = modality.backwardDecoder(weighted(normalized))                         // (R·K·B, D + P_m)
            if estimator == .dreg {
                let kept = modality.parameters.map(\.gradient)
                dCodes = modality.backwardDecoder(weighted(dregWeights))
                for (p, g) in zip(modality.parameters, kept) { p.gradient = g }
            }
            for (r, s) in rows.enumerated() { addDecoderInputGradient(dCodes.rowBlock(r, of: rows.count), of: m, into: &du[s]) }
        }

        let alpha = configuration.alignmentWeight
        let (alignment, alignmentGradients) = try alignmentTerm(products)

        // Each subset's ∂L/∂(μ_S, log σ²_S), summed over its K codes, into the encoders.
        let inverseBatch = 1 / Double(b)
        var upstreams: [DiagonalGaussian] = []
        for s in subsets.indices {
            var dMean = Tensor(shape: [b, width]), dLogVariance = Tensor(shape: [b, width])
            let weights = estimator == .dreg ? dregWeights[s] : normalized[s]
            for n in 0..<b {
                for c in 0..<width {
                    let sd = sigmas[s].scalars[n * width + c]
                    var gMean = 0.0, gLogVariance = 0.0
                    for j in 0..<k {
                        let r = j * b + n
                        let eps = epsilons[s].scalars[r * width + c], code = Double(codes[s].scalars[r * width + c])
                        let prior = estimator == .dreg ? code - Double(eps) / Double(sd) : code     // u − ε/σ, or u
                        let term = Double(du[s].scalars[r * width + c]) + w * beta * weights[r] * inverseBatch * prior
                        gMean += term
                        gLogVariance += term * Double((sd * eps) * 0.5)
                    }
                    if estimator == .iwae { gLogVariance -= 0.5 * w * beta * inverseBatch }
                    dMean.scalars[n * width + c] = Float(gMean)
                    dLogVariance.scalars[n * width + c] = Float(gLogVariance)
                }
            }
            upstreams.append(DiagonalGaussian(mean: dMean, logVariance: dLogVariance))
        }
        backwardIntoEncoders(upstreams, alignment: alignmentGradients, products: products, encoded: encoded)
        let klValues = kls.map(\.value)
        guard klValues.allSatisfy(\.isFinite), objective.isFinite else {
            throw TrainingError.nonFiniteLoss(reconstruction: objective, kl: klValues.reduce(0, +))
        }
        return MultimodalTerms(objective: objective + alpha * alignment, kl: klValues, reconstruction: reconstruction,
                               alignment: alpha > 0 ? alignment : nil)
    }

    /// `matrix` (N, …) with row r multiplied by `factors[r]`.
    private func scaledRows(_ matrix: Tensor, by factors: [Float]) -> Tensor {
        var result = matrix
        let width = matrix.count / max(matrix.shape[0], 1)
        precondition(factors.count == matrix.shape[0], "scaledRows: \(factors.count) factors for \(matrix.shape[0]) rows")
        result.withUnsafeMutableBufferPointer { m in
            for r in factors.indices {
                for i in r * width ..< (r + 1) * width { m[i] *= factors[r] }
            }
        }
        return result
    }
}
