import Foundation

extension MultimodalVAE {
    // MARK: The K-sample bound
    //
    // The objective stage of `accumulateGradients` with K ≥ 2 codes per subset and tuple
    // (`MultimodalConfiguration.importanceSamples`): each subset's ELBO becomes its K-sample
    // importance-weighted bound, the objective of MMVAE+ (Palumbo, Daunhawer & Vogt 2023) on the
    // products of experts. The step draws the codes and their log p(u) − log q_S(u)
    // (`subsetCodes`) and adds each row's λ-weighted log-likelihood to them; this file turns the
    // log-weights into the bound and its normalised weights, and those into the encoders'
    // gradient.
    //
    // ## The bound
    // For subset S and tuple n draw K whole codes u_j = μ_S + σ_S ⊙ ε_j (the shared code from
    // S's product, the private code of an observed image from its encoder, an unobserved one from
    // its prior: μ = 0, σ = 1), and weigh each by
    //
    //     log w_j = Σ_{m reconstructed by S} λ_m log p(x_m | u_j) + β·[log p(u_j) − log q_S(u_j)]
    //             = Σ_m λ_m log p(x_m | u_j) − (β/2)·Σ_d (u_jd² − ε_jd² − log σ_d²);
    //
    // an unobserved private code adds nothing to the second term (u = ε, log σ² = 0). The loss is
    //
    //     L = w_S-weighted sum over S of −(1/B) Σ_n log (1/K) Σ_j w_j,
    //
    // with the subsets' weights of the ELBO (1 for MVAE, 1/|𝒮| for MoPoE), plus JMVAE's
    // alignment term as before. At K = 1 it would be the ELBO with a sampled KL; K = 1 trains on
    // the ELBO's closed form instead.
    //
    // Why it matters for cross-generation: in the label-only subset the code u_j draws the digit's
    // private code from the prior, and a single draw must explain every digit of the class, so the
    // ELBO's best answer is the class average. With K draws, the normalised weights w̃_j =
    // softmax_j(log w_j) all but pick the draw whose private code happens to suit the digit, and
    // only that draw is asked to redraw it: the private codes the prior gives are free to mean
    // different hands.
    //
    // ## The gradient
    // As `VAE.accumulateImportanceWeightedGradients`, per subset (its formulas there): each
    // decoder's rows of subset S are weighted by w_S·λ_m·w̃_j/B; the encoders see, through the
    // product's backward pass and each observed private code's columns, per sample j
    //
    //     iwae: ∂L/∂μ_S = Σ_j [g_j + (w_S β w̃_j / B)·u_j],   ∂L/∂log σ²_S = Σ_j [same] ⊙ σε_j/2 − w_S β/(2B)
    //     dreg: ∂L/∂μ_S = Σ_j [g'_j + (w_S β c_j / B)·(u_j − ε_j/σ)],   ∂L/∂log σ²_S = Σ_j [same] ⊙ σε_j/2
    //
    // with c_j = (1 − β)·w̃_j + β·w̃_j², g_j the decoders' gradient with respect to u_j from the
    // w̃-weighted rows, g'_j from a second backward pass of each decoder with the c-weighted
    // rows (whose parameter gradients are discarded).
    //
    // ε is drawn per subset as (K·B, codeWidth), row j·B + n for sample j of tuple n.
    // `reconstruction` reports the mean over the K·B codes of −log p(x_m | u), `kl` the
    // closed-form KL of each subset's posterior, as K = 1 reports them.

    /// Each subset's normalised weights w̃ of its tuples' K codes, from their log-weights
    /// (K·B per subset, row j·B + n), and the loss −Σ_S w_S (1/B) Σ_n log (1/K) Σ_j w_j.
    func boundWeights(_ logWeights: [[Double]], samples k: Int) -> (normalized: [[Double]], objective: Double) {
        let w = subsetWeight
        let b = (logWeights.first?.count ?? 0) / k
        var normalized = logWeights.map { [Double](repeating: 0, count: $0.count) }
        var objective = 0.0
        let logK = log(Double(k))
        for s in logWeights.indices {
            for n in 0..<b {
                let row = (0..<k).map { logWeights[s][$0 * b + n] }
                let bound = logMeanExp(row)
                for j in 0..<k { normalized[s][j * b + n] = exp(row[j] - bound - logK) }
                objective -= w * bound / Double(b)
            }
        }
        return (normalized, objective)
    }

    /// A subset's ∂L/∂(μ_S, log σ²_S) (B, codeWidth each), summed over its K codes, from the
    /// decoders' ∂L/∂u (K·B, codeWidth), the codes and their ε and σ, and the codes' weights (w̃
    /// for IWAE, c for DReG), by the formulas above with the subset's weight w_S and β.
    func boundUpstream(_ du: Tensor, _ draw: SubsetCodes, weights: [Double], samples k: Int, beta: Double,
                       estimator: ImportanceWeightedEstimator) -> DiagonalGaussian {
        let w = subsetWeight
        let (rows, width) = (du.shape[0], du.shape[1])
        let b = rows / k
        let inverseBatch = 1 / Double(b)
        var dMean = Tensor(shape: [b, width]), dLogVariance = Tensor(shape: [b, width])
        for n in 0..<b {
            for c in 0..<width {
                let sd = draw.standardDeviation.scalars[n * width + c]
                var gMean = 0.0, gLogVariance = 0.0
                for j in 0..<k {
                    let r = j * b + n
                    let eps = draw.epsilon.scalars[r * width + c], code = Double(draw.codes.scalars[r * width + c])
                    let prior = estimator == .dreg ? code - Double(eps) / Double(sd) : code     // u − ε/σ, or u
                    let term = Double(du.scalars[r * width + c]) + w * beta * weights[r] * inverseBatch * prior
                    gMean += term
                    gLogVariance += term * Double((sd * eps) * 0.5)
                }
                if estimator == .iwae { gLogVariance -= 0.5 * w * beta * inverseBatch }
                dMean.scalars[n * width + c] = Float(gMean)
                dLogVariance.scalars[n * width + c] = Float(gLogVariance)
            }
        }
        return DiagonalGaussian(mean: dMean, logVariance: dLogVariance)
    }
}
