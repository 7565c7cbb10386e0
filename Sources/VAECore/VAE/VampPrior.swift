import Foundation

/// The VampPrior (Tomczak and Welling 2018, "VAE with a VampPrior"): a prior made of the encoder's
/// own posteriors at K learned pseudo-inputs u_1 … u_K (images, 1 × 28 × 28),
///
///     p(z) = (1/K) Σ_k q(z | u_k),    q(z | u_k) = N(μ_k, diag σ²_k),  (μ_k, log σ²_k) = encoder(u_k).
///
/// Why: the prior that maximises the ELBO averaged over the data is the aggregate posterior
/// q(z) = (1/N) Σ_n q(z|x_n) (the KL term, averaged over the data, is the mutual information
/// between x and z plus KL(q(z) ‖ p(z)), and only the second depends on p). N(0, I) leaves that
/// second term to be paid; a mixture of posteriors at K inputs that training moves towards the
/// data approximates q(z) itself, with K ≪ N components and no extra network.
///
/// ## Parameters
/// The pseudo-inputs are u = σ(a), with a learned (`prior.pseudo_input_logits`, (K, 1, 28, 28)),
/// so every pixel stays in (0, 1) as a grey image's does. They start as Tomczak and Welling's do
/// for MNIST: u ~ N(0.05, 0.01²) per pixel (faint, nearly blank images), a = logit(u), drawn from
/// the model's generator after every other weight (so a model without the VampPrior draws what it
/// always drew).
///
/// ## Training
/// The KL has no closed form; training uses the one-sample estimate at the reparameterised code
/// z = μ + σ ⊙ ε of each image (as the IAF posterior does):
///
///     KL̂ = log q(z|x) − log p(z),   log q(z|x) = −½ Σ_d (ε_d² + log σ²_d + log 2π),
///     log p(z) = logsumexp_k a_k − log K,   a_k = −½ Σ_d [(z_d − μ_kd)² e^{−v_kd} + v_kd + log 2π],
///
/// with v_k = log σ²_k, by a log-sum-exp over the components that subtracts the largest a_k. With
/// the responsibilities r_k = softmax(a)_k,
///
///     ∂log p/∂z_d    = −Σ_k r_k (z_d − μ_kd) e^{−v_kd}
///     ∂log p/∂μ_kd   =  r_k (z_d − μ_kd) e^{−v_kd}
///     ∂log p/∂v_kd   =  r_k · ½[(z_d − μ_kd)² e^{−v_kd} − 1]
///
/// so ∂KL̂/∂z = −∂log p/∂z (which reaches μ and log σ² through z), log q adds −½ per dimension to
/// ∂/∂log σ² (ε is fixed noise), and the components' gradients flow back through the encoder into
/// its weights and, through σ(a), into the pseudo-inputs: ∂L/∂a = ∂L/∂u · u(1 − u).
///
/// The encoder sees the pseudo-inputs in evaluation mode, in training as in evaluation: BatchNorm
/// normalises them with its running statistics (as they stand before the batch's own pass moves
/// them), so the prior is the function of the weights that the evaluations use, and it cannot see
/// the batch. Encoding them in one training-mode pass over the rows [x; u] would be cheaper, but
/// BatchNorm's batch statistics would then carry each batch's images into every component: the
/// prior learns to fit the batch through them (on a short run, a training KL̂ of 3 nats against
/// 26 at test). The encoder's layers cache one pass at a time, so the pseudo-inputs are encoded
/// before the batch and again, with the same statistics, for their backward pass after the
/// batch's (`VAE.encodeForTraining`, `VAE.priorBackward`): per update, two forward passes and one
/// backward pass of the encoder on K images beside the batch's; with K = 500 and batches of 128
/// several times the encoder's work of a plain step.
///
/// Evaluation (`evaluateELBO`, `evaluateImportanceWeighted`) takes log p(z) from here, the
/// components computed once per evaluation in evaluation mode; `VAE.samplePrior` draws a component
/// uniformly, then z from it.
final class VampPrior: Prior {
    let latentDimensions: Int
    /// K, the number of pseudo-inputs.
    let count: Int
    /// a, (K, 1, 28, 28): the pseudo-inputs are σ(a).
    let pseudoInputLogits: Parameter

    /// The `state_dict` name of a.
    static let parameterName = "prior.pseudo_input_logits"
    /// The pseudo-inputs' first pixels: N(0.05, 0.01²), Tomczak and Welling's start for MNIST.
    static let initialMean: Float = 0.05, initialStandardDeviation: Float = 0.01

    init(pseudoInputs k: Int, latentDimensions: Int, using random: inout RandomSource) {
        self.latentDimensions = latentDimensions
        count = k
        var logits = Tensor(shape: [k] + Architecture.imageShape)
        logits.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count {
                let u = min(max(random.gaussian(mean: Self.initialMean, standardDeviation: Self.initialStandardDeviation), 1e-3), 1 - 1e-3)
                a[i] = log(u / (1 - u))
            }
        }
        pseudoInputLogits = Parameter(name: Self.parameterName, value: logits)
    }

    var parameters: [Parameter] { [pseudoInputLogits] }

    /// u = σ(a), (K, 1, 28, 28).
    func encoderInputs() -> Tensor? { pseudoInputLogits.value.map(StableMath.sigmoid) }

    /// ∂L/∂a = ∂L/∂u · u(1 − u), accumulated.
    func backward(encoderInputGradient: Tensor) {
        precondition(encoderInputGradient.count == pseudoInputLogits.value.count,
                     "the pseudo-inputs' gradient \(encoderInputGradient.shape) does not fit \(pseudoInputLogits.value.shape)")
        let logits = pseudoInputLogits.value
        pseudoInputLogits.gradient.withUnsafeMutableBufferPointer { g in
            logits.withUnsafeBufferPointer { a in
                encoderInputGradient.withUnsafeBufferPointer { du in
                    for i in 0..<g.count {
                        let u = StableMath.sigmoid(a[i])
                        g[i] += du[i] * (u * (1 - u))
                    }
                }
            }
        }
    }

    func klTerm(mean: Tensor, logVariance: Tensor, z: Tensor, epsilon: Tensor, freeBits: Double?,
                inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm {
        guard freeBits == nil else {
            throw VAEConfigurationError("free bits clamp the closed-form KL per dimension, which the VampPrior does not have; leave them unset")
        }
        return try oneSampleKLTerm(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: nil, inputPosteriors: inputPosteriors)
    }

    func oneSampleKLTerm(z: Tensor, epsilon: Tensor, logVariance: Tensor, logDeterminants: [Double],
                         inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm {
        try oneSampleKLTerm(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: Optional(logDeterminants),
                            inputPosteriors: inputPosteriors)
    }

    /// The one-sample KL̂ of the Gaussian posterior (no log-determinants) or of a flow's.
    private func oneSampleKLTerm(z: Tensor, epsilon: Tensor, logVariance: Tensor, logDeterminants: [Double]?,
                                 inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm {
        guard let components = inputPosteriors else { preconditionFailure("the VampPrior's KL needs its pseudo-inputs' posteriors") }
        try LossError.requireSameShape("VampPrior", "z", z, "epsilon", epsilon)
        try LossError.requireSameShape("VampPrior", "z", z, "logVariance", logVariance)
        let (b, d) = (z.shape[0], z.shape[1])
        let inverseBatch = 1 / Double(b)
        // ∂(mean KL̂)/∂· = −(1/B) ∂log p(z_n)/∂·, every row weighted alike.
        let (logPrior, dz, dComponents) = VampPrior.logDensityGradients(
            z, components: components, rowWeights: [Double](repeating: -inverseBatch, count: b))
        let log2π = log(2 * Double.pi)
        var total = 0.0
        epsilon.withUnsafeBufferPointer { e in
            logVariance.withUnsafeBufferPointer { lv in
                for row in 0..<b {
                    var sum = 0.0
                    for j in 0..<d { sum += Double(e[row * d + j]) * Double(e[row * d + j]) + Double(lv[row * d + j]) }
                    let logQ = -0.5 * (sum + Double(d) * log2π)
                    total += (logDeterminants.map { logQ - $0[row] } ?? logQ) - logPrior[row]
                }
            }
        }
        let kl = KLDivergenceResult(value: total * inverseBatch, meanGradient: Tensor(shape: [b, d]),
                                    logVarianceGradient: Tensor(shape: [b, d], repeating: Float(-0.5 * inverseBatch)))
        return PriorKLTerm(kl: kl, objective: kl, codeGradient: .mean(dz), inputPosteriorGradient: dComponents)
    }

    func logDensity(_ z: Tensor, inputPosteriors: DiagonalGaussian?) -> [Double] {
        guard let components = inputPosteriors else { preconditionFailure("the VampPrior's density needs its pseudo-inputs' posteriors") }
        return VampPrior.logDensity(z, components: components)
    }

    func logDensityGradients(_ z: Tensor, inputPosteriors: DiagonalGaussian?, rowWeights g: [Double])
        -> (z: Tensor, inputPosteriors: DiagonalGaussian?) {
        guard let components = inputPosteriors else { preconditionFailure("the VampPrior's density needs its pseudo-inputs' posteriors") }
        let (_, dz, dComponents) = VampPrior.logDensityGradients(z, components: components, rowWeights: g)
        return (dz, dComponents)
    }

    /// A component k drawn uniformly, then z = μ_k + T·σ_k ⊙ ε: per code the index, then D draws of ε.
    func sample(count n: Int, temperature: Float, inputPosteriors: DiagonalGaussian?, using random: inout RandomSource) -> Tensor {
        guard let components = inputPosteriors else { preconditionFailure("the VampPrior's draws need its pseudo-inputs' posteriors") }
        let d = latentDimensions
        var z = Tensor(shape: [n, d])
        z.withUnsafeMutableBufferPointer { out in
            for row in 0..<n {
                let k = random.uniformInt(below: count)
                for j in 0..<d {
                    let sigma = exp(0.5 * components.logVariance.scalars[k * d + j])
                    out[row * d + j] = components.mean.scalars[k * d + j] + temperature * sigma * random.gaussian()
                }
            }
        }
        return z
    }

    // MARK: The mixture's density

    /// The components (K, D each) laid out for the loops over k: μ and e^{−v} transposed to (D, K)
    /// in Double, and each component's constant −½(Σ_d v_kd + D log 2π) − log K.
    struct Mixture {
        let components: Int
        let dimensions: Int
        let meanT: [Double]
        let inverseVarianceT: [Double]
        let constants: [Double]

        init(_ q: DiagonalGaussian) {
            let (k, d) = (q.mean.shape[0], q.mean.shape[1])
            components = k
            dimensions = d
            var meanT = [Double](repeating: 0, count: k * d), inverseT = meanT
            var constants = [Double](repeating: 0, count: k)
            let offset = Double(d) * log(2 * Double.pi)
            for c in 0..<k {
                var sum = 0.0
                for j in 0..<d {
                    let v = Double(q.logVariance.scalars[c * d + j])
                    meanT[j * k + c] = Double(q.mean.scalars[c * d + j])
                    inverseT[j * k + c] = exp(-v)
                    sum += v
                }
                constants[c] = -0.5 * (sum + offset) - log(Double(k))
            }
            self.meanT = meanT
            inverseVarianceT = inverseT
            self.constants = constants
        }

        /// a_k + log(1/K) of one code z (D) written to `a` (K), and log p(z) = logsumexp_k of them.
        func logDensity(_ z: UnsafePointer<Float>, into a: UnsafeMutablePointer<Double>) -> Double {
            let (k, d) = (components, dimensions)
            for c in 0..<k { a[c] = 0 }
            meanT.withUnsafeBufferPointer { m in
                inverseVarianceT.withUnsafeBufferPointer { iv in
                    for j in 0..<d {
                        let zj = Double(z[j])
                        for c in 0..<k {
                            let t = zj - m[j * k + c]
                            a[c] += t * t * iv[j * k + c]
                        }
                    }
                }
            }
            var largest = -Double.infinity
            for c in 0..<k {
                a[c] = constants[c] - 0.5 * a[c]
                largest = max(largest, a[c])
            }
            guard largest.isFinite else { return largest }
            var sum = 0.0
            for c in 0..<k { sum += exp(a[c] - largest) }
            return largest + log(sum)
        }
    }

    /// log p(z) of each row of z (N, D) under the mixture of `components` (K, D each), in Double:
    /// rows split over the cores (each row's sum in the same order, whatever the threads).
    /// - Complexity: O(N·K·D), N·K `exp`.
    static func logDensity(_ z: Tensor, components: DiagonalGaussian) -> [Double] {
        precondition(z.rank == 2 && z.shape[1] == components.mean.shape[1],
                     "VampPrior: codes \(z.shape) against components \(components.mean.shape)")
        let mixture = Mixture(components)
        let n = z.shape[0]
        var result = [Double](repeating: 0, count: n)
        let stripes = n >= 64 ? min(computeThreads, 8) : 1
        z.withUnsafeBufferPointer { pz in
            result.withUnsafeMutableBufferPointer { out in
                nonisolated(unsafe) let (zs, o) = (pz.baseAddress!, out.baseAddress!)
                DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
                    let a = UnsafeMutablePointer<Double>.allocate(capacity: mixture.components)
                    defer { a.deallocate() }
                    for row in (stripe * n / stripes)..<((stripe + 1) * n / stripes) {
                        o[row] = mixture.logDensity(zs + row * mixture.dimensions, into: a)
                    }
                }
            }
        }
        return result
    }

    /// log p(z_n) of each row of z (N, D), and the gradients of Σ_n g_n log p(z_n) with respect to
    /// z (N, D) and to the components' μ_k and log σ²_k (K, D each), by the formulas of the type's
    /// documentation (sums in Double, rounded once).
    /// - Complexity: O(N·K·D).
    static func logDensityGradients(_ z: Tensor, components: DiagonalGaussian, rowWeights g: [Double])
        -> (logDensity: [Double], dz: Tensor, dComponents: DiagonalGaussian) {
        let mixture = Mixture(components)
        let (n, k, d) = (z.shape[0], mixture.components, mixture.dimensions)
        precondition(z.rank == 2 && z.shape[1] == d && g.count == n,
                     "VampPrior: codes \(z.shape), components \(components.mean.shape), \(g.count) row weights")
        var logDensities = [Double](repeating: 0, count: n)
        var dz = Tensor(shape: [n, d])
        var dMeanT = [Double](repeating: 0, count: k * d), dLogVarianceT = dMeanT
        var a = [Double](repeating: 0, count: k)
        z.withUnsafeBufferPointer { pz in
            dz.withUnsafeMutableBufferPointer { out in
                a.withUnsafeMutableBufferPointer { pa in
                    for row in 0..<n {
                        let code = pz.baseAddress! + row * d
                        let logP = mixture.logDensity(code, into: pa.baseAddress!)
                        logDensities[row] = logP
                        for c in 0..<k { pa[c] = exp(pa[c] - logP) }          // r_k
                        for j in 0..<d {
                            let zj = Double(code[j])
                            var dzj = 0.0
                            for c in 0..<k {
                                let i = j * k + c
                                let t = zj - mixture.meanT[i]
                                let scaled = t * mixture.inverseVarianceT[i]
                                let weight = g[row] * pa[c]
                                dzj -= weight * scaled
                                dMeanT[i] += weight * scaled
                                dLogVarianceT[i] += weight * 0.5 * (t * scaled - 1)
                            }
                            out[row * d + j] = Float(dzj)
                        }
                    }
                }
            }
        }
        var dComponents = DiagonalGaussian(mean: Tensor(shape: [k, d]), logVariance: Tensor(shape: [k, d]))
        for c in 0..<k {
            for j in 0..<d {
                dComponents.mean.scalars[c * d + j] = Float(dMeanT[j * k + c])
                dComponents.logVariance.scalars[c * d + j] = Float(dLogVarianceT[j * k + c])
            }
        }
        return (logDensities, dz, dComponents)
    }
}
