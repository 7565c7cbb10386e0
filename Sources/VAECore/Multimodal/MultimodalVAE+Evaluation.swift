import Foundation

// Inference, generation and the joint likelihood of a trained multimodal VAE, all in evaluation
// mode (BatchNorm on its running statistics), in chunks of rows so that memory stays bounded.

extension MultimodalVAE {
    /// q_S(u | x_S) over the whole code (N, codeWidth) for each row, where S is the modalities
    /// given (`inputs[m]` nil: not observed): the product of the prior and the observed experts on
    /// the shared code, the observed private codes' posteriors, the prior N(0, I) on the others.
    /// Switches to evaluation mode.
    /// - Throws: `VAEConfigurationError` for no observed modality or inputs that do not fit.
    func codePosterior(observing inputs: [Tensor?], batchSize: Int = 500) throws -> DiagonalGaussian {
        let n = try checkBatch(inputs)
        isTraining = false
        var means: [Float] = [], logVariances: [Float] = []
        for start in stride(from: 0, to: n, by: batchSize) {
            let rows = start..<min(start + batchSize, n)
            let encoded = try modalities.indices.map { m in try inputs[m].map { split(try modalities[m].encode($0.rows(rows)), of: m) } }
            let q = try codePosterior(experts: encoded.compactMap { $0?.shared }, privates: encoded.map { $0?.private }).code
            means += q.mean.scalars
            logVariances += q.logVariance.scalars
        }
        return DiagonalGaussian(mean: Tensor(shape: [n, codeWidth], scalars: means),
                                logVariance: Tensor(shape: [n, codeWidth], scalars: logVariances))
    }

    /// q_S(z | x_S) on the shared code (N, D): `codePosterior`'s first D columns, the product of
    /// the prior and the observed experts.
    public func posterior(observing inputs: [Tensor?], batchSize: Int = 500) throws -> DiagonalGaussian {
        try codePosterior(observing: inputs, batchSize: batchSize).columns(0..<configuration.latentDimensions)
    }

    /// What modality `m`'s decoder makes of whole codes `u` (N, codeWidth), as a person sees it
    /// (`Modality.readable`: mean images, or class probabilities), or with `mostProbable` its most
    /// probable sample (`Modality.mostProbable`: mode images, or one-hot classes). Evaluation mode.
    public func decode(_ m: Int, codes u: Tensor, mostProbable: Bool = false, batchSize: Int = 500) -> Tensor {
        precondition(u.rank == 2 && u.shape[1] == codeWidth, "codes must be (N, \(codeWidth)), not \(u.shape)")
        isTraining = false
        let modality = modalities[m]
        var scalars: [Float] = []
        scalars.reserveCapacity(u.shape[0] * configuration.modalities[m].sampleShape.reduce(1, *))
        for start in stride(from: 0, to: u.shape[0], by: batchSize) {
            let output = modality.decode(decoderInput(m, code: u.rows(start..<min(start + batchSize, u.shape[0]))))
            scalars += (mostProbable ? modality.mostProbable(output) : modality.readable(output)).scalars
        }
        return Tensor(shape: [u.shape[0]] + configuration.modalities[m].sampleShape, scalars: scalars)
    }

    /// Cross-modal generation: one code u ~ q(u | x_from) per row of `input` (a private code of
    /// `to` drawn from its prior), decoded by modality `to` (as `decode`). With `from == to`, a
    /// reconstruction.
    public func translate(from: Int, _ input: Tensor, to: Int, mostProbable: Bool = false,
                          using random: inout RandomSource) throws -> Tensor {
        try translateBoth(from: from, input, to: to, using: &random)[mostProbable ? 1 : 0]
    }

    /// `translate`'s readable outputs and most probable samples of the same codes.
    public func translateBoth(from: Int, _ input: Tensor, to: Int, using random: inout RandomSource) throws -> [Tensor] {
        var observed = [Tensor?](repeating: nil, count: modalities.count)
        observed[from] = input
        let q = try codePosterior(observing: observed)
        let u = VAE.reparameterize(mean: q.mean, logVariance: q.logVariance, using: &random).z
        return [decode(to, codes: u), decode(to, codes: u, mostProbable: true)]
    }

    /// Joint generation: `count` codes u ~ N(0, I), each decoded by every modality (as `decode`).
    public func sampleJoint(count: Int, mostProbable: Bool = false, using random: inout RandomSource) -> [Tensor] {
        let u = Tensor.gaussian([count, codeWidth], using: &random)
        return modalities.indices.map { decode($0, codes: u, mostProbable: mostProbable) }
    }

    /// The joint ELBO of each tuple with every modality observed and the true likelihoods (λ = 1),
    /// one code drawn per tuple (as `evaluateELBO` for the VAE):
    ///
    ///     ELBO(x₁, …, x_M) = Σ_m log p(x_m | u) − KL(q(u | x₁, …, x_M) ‖ N(0, I)),  u ~ q,
    ///
    /// over the whole code u (the shared code and every private code).
    ///
    /// For binarized images the inputs must be the fixed binary test images.
    /// - Throws: `VAEConfigurationError` when a modality is missing or the inputs do not fit.
    public func jointELBO(_ inputs: [Tensor], batchSize: Int = 500, using random: inout RandomSource) throws -> [Double] {
        let n = try checkBatch(inputs)
        isTraining = false
        var result: [Double] = []
        for start in stride(from: 0, to: n, by: batchSize) {
            let chunk = inputs.map { $0.rows(start..<min(start + batchSize, n)) }
            let encoded = try modalities.indices.map { split(try modalities[$0].encode(chunk[$0]), of: $0) }
            let q = try codePosterior(experts: encoded.map(\.shared), privates: encoded.map(\.private)).code
            let u = VAE.reparameterize(mean: q.mean, logVariance: q.logVariance, using: &random).z
            var values = q.klFromStandardNormal.map { -$0 }
            for (m, modality) in modalities.enumerated() {
                let output = modality.decode(decoderInput(m, code: u))
                for (i, value) in modality.logLikelihoods(output: output, target: chunk[m]).enumerated() { values[i] += value }
            }
            result += values
        }
        return result
    }

    /// An importance-sampled estimate of each tuple's joint log-likelihood log p(x₁, …, x_M)
    /// (Burda et al.'s bound with k samples of the joint posterior q = q(z | x₁, …, x_M)):
    ///
    ///     log p(x) ≈ log (1/k) Σ_j p(x | z_j) p(z_j) / q(z_j | x),   z_j = μ + σ ⊙ ε_j,
    ///
    /// where log p(z) − log q(z|x) = −½ Σ_d (z_d² − ε_d² − log σ²_d). It is a lower bound, tighter
    /// as k grows (k = 1 is the ELBO). The decoders run on up to `rowsPerPass` codes at once.
    /// - Throws: `VAEConfigurationError` when a modality is missing, the inputs do not fit, or k < 1.
    public func jointLogLikelihood(_ inputs: [Tensor], samples k: Int, rowsPerPass: Int = 1000,
                                   using random: inout RandomSource) throws -> [Double] {
        let n = try checkBatch(inputs)
        guard k >= 1 else { throw VAEConfigurationError("importance sampling needs k ≥ 1 samples, not \(k)") }
        isTraining = false
        let d = codeWidth
        let q = try codePosterior(observing: inputs)
        let tuplesPerPass = max(1, rowsPerPass / k)
        var result: [Double] = []
        for start in stride(from: 0, to: n, by: tuplesPerPass) {
            let tuples = Array(start..<min(start + tuplesPerPass, n))
            // Rows j·c + i: sample j of tuple i, for c tuples.
            let c = tuples.count
            let epsilon = Tensor.gaussian([k * c, d], using: &random)
            var z = Tensor(shape: [k * c, d])
            var logWeights = [Double](repeating: 0, count: k * c)
            for j in 0..<k {
                for (i, tuple) in tuples.enumerated() {
                    let row = j * c + i
                    var prior = 0.0
                    for e in 0..<d {
                        let lv = q.logVariance.scalars[tuple * d + e], eps = epsilon.scalars[row * d + e]
                        let value = q.mean.scalars[tuple * d + e] + exp(0.5 * lv) * eps
                        z.scalars[row * d + e] = value
                        prior += Double(value * value) - Double(eps * eps) - Double(lv)
                    }
                    logWeights[row] = -0.5 * prior
                }
            }
            for (m, (modality, input)) in zip(modalities, inputs).enumerated() {
                // The c tuples' samples, repeated k times in one pass (rows j·c + i).
                let block = input.rows(start..<start + c)
                let targets = Tensor(shape: [k * c] + block.shape.dropFirst(),
                                     scalars: Array(repeatElement(block.scalars, count: k).joined()))
                let output = modality.decode(decoderInput(m, code: z))
                for (row, value) in modality.logLikelihoods(output: output, target: targets).enumerated() { logWeights[row] += value }
            }
            for i in 0..<c { result.append(logMeanExp((0..<k).map { logWeights[$0 * c + i] })) }
        }
        return result
    }
}

extension DiagonalGaussian {
    /// KL(N(μ, σ²) ‖ N(0, I)) of each row, ½ Σ_d (μ² + σ² − 1 − log σ²), in Double.
    var klFromStandardNormal: [Double] {
        let d = mean.shape[1]
        return (0..<count).map { row in
            var sum = 0.0
            for e in row * d ..< (row + 1) * d {
                let mu = Double(mean.scalars[e]), lv = Double(logVariance.scalars[e])
                sum += mu * mu + exp(lv) - 1 - lv
            }
            return 0.5 * sum
        }
    }
}
