import Foundation

// Inference, generation and the joint likelihood of a trained multimodal VAE, all in evaluation
// mode (BatchNorm on its running statistics), in chunks of rows so that memory stays bounded.

extension MultimodalVAE {
    /// q_S(z | x_S) for each row, where S is the modalities given (`inputs[m]` nil: not observed):
    /// the product of the prior and the observed experts. Switches to evaluation mode.
    /// - Throws: `VAEConfigurationError` for no observed modality or inputs that do not fit.
    public func posterior(observing inputs: [Tensor?], batchSize: Int = 500) throws -> DiagonalGaussian {
        let n = try checkBatch(inputs)
        isTraining = false
        var means: [Float] = [], logVariances: [Float] = []
        for start in stride(from: 0, to: n, by: batchSize) {
            let rows = start..<min(start + batchSize, n)
            var experts: [DiagonalGaussian] = []
            for (modality, input) in zip(modalities, inputs) {
                guard let input else { continue }
                experts.append(try modality.encode(input.rows(rows)))
            }
            let q = try productOfExperts(experts).gaussian
            means += q.mean.scalars
            logVariances += q.logVariance.scalars
        }
        let d = configuration.latentDimensions
        return DiagonalGaussian(mean: Tensor(shape: [n, d], scalars: means), logVariance: Tensor(shape: [n, d], scalars: logVariances))
    }

    /// What modality `m`'s decoder makes of codes `z` (N, D), as a person sees it
    /// (`Modality.readable`: mean images, or class probabilities), or with `mostProbable` its most
    /// probable sample (`Modality.mostProbable`: mode images, or one-hot classes). Evaluation mode.
    public func decode(_ m: Int, codes z: Tensor, mostProbable: Bool = false, batchSize: Int = 500) -> Tensor {
        precondition(z.rank == 2 && z.shape[1] == configuration.latentDimensions,
                     "codes must be (N, \(configuration.latentDimensions)), not \(z.shape)")
        isTraining = false
        let modality = modalities[m]
        var scalars: [Float] = []
        scalars.reserveCapacity(z.shape[0] * configuration.modalities[m].sampleShape.reduce(1, *))
        for start in stride(from: 0, to: z.shape[0], by: batchSize) {
            let output = modality.decode(z.rows(start..<min(start + batchSize, z.shape[0])))
            scalars += (mostProbable ? modality.mostProbable(output) : modality.readable(output)).scalars
        }
        return Tensor(shape: [z.shape[0]] + configuration.modalities[m].sampleShape, scalars: scalars)
    }

    /// Cross-modal generation: one code z ~ q(z | x_from) per row of `input`, decoded by modality
    /// `to` (as `decode`). With `from == to`, a reconstruction.
    public func translate(from: Int, _ input: Tensor, to: Int, mostProbable: Bool = false,
                          using random: inout RandomSource) throws -> Tensor {
        try translateBoth(from: from, input, to: to, using: &random)[mostProbable ? 1 : 0]
    }

    /// `translate`'s readable outputs and most probable samples of the same codes.
    public func translateBoth(from: Int, _ input: Tensor, to: Int, using random: inout RandomSource) throws -> [Tensor] {
        var observed = [Tensor?](repeating: nil, count: modalities.count)
        observed[from] = input
        let q = try posterior(observing: observed)
        let z = VAE.reparameterize(mean: q.mean, logVariance: q.logVariance, using: &random).z
        return [decode(to, codes: z), decode(to, codes: z, mostProbable: true)]
    }

    /// Joint generation: `count` codes z ~ N(0, I), each decoded by every modality (as `decode`).
    public func sampleJoint(count: Int, mostProbable: Bool = false, using random: inout RandomSource) -> [Tensor] {
        let z = Tensor.gaussian([count, configuration.latentDimensions], using: &random)
        return modalities.indices.map { decode($0, codes: z, mostProbable: mostProbable) }
    }

    /// The joint ELBO of each tuple with every modality observed and the true likelihoods (λ = 1),
    /// one code drawn per tuple (as `evaluateELBO` for the VAE):
    ///
    ///     ELBO(x₁, …, x_M) = Σ_m log p(x_m | z) − KL(q(z | x₁, …, x_M) ‖ N(0, I)),  z ~ q.
    ///
    /// For binarized images the inputs must be the fixed binary test images.
    /// - Throws: `VAEConfigurationError` when a modality is missing or the inputs do not fit.
    public func jointELBO(_ inputs: [Tensor], batchSize: Int = 500, using random: inout RandomSource) throws -> [Double] {
        let n = try checkBatch(inputs)
        isTraining = false
        var result: [Double] = []
        for start in stride(from: 0, to: n, by: batchSize) {
            let chunk = inputs.map { $0.rows(start..<min(start + batchSize, n)) }
            let q = try productOfExperts(zip(modalities, chunk).map { try $0.encode($1) }).gaussian
            let z = VAE.reparameterize(mean: q.mean, logVariance: q.logVariance, using: &random).z
            var values = q.klFromStandardNormal.map { -$0 }
            for (modality, x) in zip(modalities, chunk) {
                for (i, value) in modality.logLikelihoods(output: modality.decode(z), target: x).enumerated() { values[i] += value }
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
        let d = configuration.latentDimensions
        let q = try posterior(observing: inputs)
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
            for (modality, input) in zip(modalities, inputs) {
                // The c tuples' samples, repeated k times in one pass (rows j·c + i).
                let block = input.rows(start..<start + c)
                let targets = Tensor(shape: [k * c] + block.shape.dropFirst(),
                                     scalars: Array(repeatElement(block.scalars, count: k).joined()))
                let output = modality.decode(z)
                for (row, value) in modality.logLikelihoods(output: output, target: targets).enumerated() { logWeights[row] += value }
            }
            for i in 0..<c { result.append(logMeanExp((0..<k).map { logWeights[$0 * c + i] })) }
        }
        return result
    }
}

extension DiagonalGaussian {
    /// KL(N(μ, σ²) ‖ N(0, I)) of each row, ½ Σ_d (μ² + σ² − 1 − log σ²), in Double.
    public var klFromStandardNormal: [Double] {
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
