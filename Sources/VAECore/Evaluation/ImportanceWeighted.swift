import Foundation

/// The importance-weighted estimate of the test log-likelihood, in nats per image.
public struct ImportanceWeightedEvaluation: Sendable, Equatable, Codable {
    /// k, the importance samples per image.
    public var samples: Int
    /// The number of images.
    public var count: Int
    /// log p̂_k(x) of each image.
    public var logLikelihoods: [Double]
    /// The mean of −log p̂_k(x) over the images (positive; lower is better) and its standard
    /// error over images.
    public var negativeLogLikelihood: MeanEstimate
    /// Wall time of the whole estimate, in seconds.
    public var seconds: Double
}

/// The defaults of `evaluateImportanceWeighted`.
public enum ImportanceWeightedDefaults {
    /// Codes decoded at once: large enough that each GEMM is large, small enough that the
    /// decoder's intermediate matrices stay in the caches (the reference decoder's col matrix is
    /// 512 × 49 floats per code: 12.8 MB at 128 codes, 51 MB at 512).
    public static let chunkSize = 128
}

/// The importance-weighted estimate of log p(x) (Burda, Grosse and Salakhutdinov 2016) of each
/// image in `images` (N, 1, 28, 28), which should be binary (the caller binarizes the test set
/// once with `MNIST.binarized(seed: EvaluationDefaults.binarizationSeed)`).
///
/// With z_i = μ(x) + σ(x)·ε_i, ε_i ~ N(0, I), i = 1…k:
///
///     log p̂_k(x) = log (1/k) Σ_i p(x|z_i) p(z_i) / q(z_i|x) = logMeanExp_i w_i,
///     w_i = log p(x|z_i) + log p(z_i) − log q(z_i|x),
///
/// with log p(x|z) from the model's likelihood (for a Bernoulli −BCE summed over pixels, stable
/// from the logits),
/// log p(z) = Σ_d −½(z_d² + log 2π) and log q(z|x) = Σ_d −½(ε_d² + log 2π + log σ²_d). The
/// D·log 2π cancels, so w_i is computed as log p(x|z_i) − ½ Σ_d (z_d² − ε_d² − log σ²_d).
///
/// For a model with an IAF posterior (`configuration.flow`) each z_i is the flow's image z_T of
/// z₀ = μ + σ·ε_i, and log q(z_i|x) gains the flow's −Σ_t Σ_d log σ_t,d (`InverseAutoregressiveFlow`):
/// w_i = log p(x|z_i) − ½ Σ_d (z_d² − ε_d² − log σ²_d) + Σ_t Σ_d log σ_t,d. The flow runs on each
/// chunk of codes at once, its context computed once per image.
///
/// For a model with another prior (the VampPrior, `configuration.prior`), log p(z_i) is that
/// prior's (`Prior.logDensity`, its components encoded once per evaluation in evaluation mode):
/// w_i = log p(x|z_i) + log p(z_i) + ½ Σ_d (ε_d² + log σ²_d + log 2π).
///
/// E[log p̂_k(x)] ≤ log p(x) for every k (Jensen), it increases with k, k = 1 is (in
/// expectation) the ELBO, and it converges to log p(x) as k → ∞. The reported number is
/// −mean log p̂_k(x), which overestimates the true NLL by the remaining gap.
///
/// ε comes from `RandomSource(seed: seed)` in order image, sample, dimension, so the result does
/// not depend on `batchSize` or `chunkSize` (up to the GEMM's rounding). The model runs in
/// evaluation mode, restored afterwards.
///
/// ## Cost
/// k·N decoder passes: the decoder runs on chunks of `chunkSize` codes at a time (the samples of
/// one image, or of several when k < chunkSize), so each GEMM is large; buffers are allocated
/// once per call, and per chunk only the decoder's own output, never per sample.
///
/// - Parameters:
///   - samples: k ≥ 1 (the headline figure uses `EvaluationDefaults.importanceSamples`, 5000).
///   - labels: one label per image, for a conditional model.
///   - batchSize: images encoded at once; their k·batchSize log-weights are kept (Doubles).
///   - chunkSize: codes decoded at once.
///   - limit: only the first `limit` images.
///   - progress: called after each batch with (images done, images in all).
/// - Throws: `EvaluationError` for bad shapes, pixels outside [0, 1], k, batch or chunk size
///   below 1, or missing labels of a conditional model.
/// - Complexity: N·k decoder passes, N·k·784 `exp` and `log1p`.
public func evaluateImportanceWeighted(model: VAE, images: Tensor, labels: [Int]? = nil, samples k: Int,
                                       batchSize: Int = 100, chunkSize: Int = ImportanceWeightedDefaults.chunkSize,
                                       limit: Int? = nil, seed: UInt64,
                                       progress: ((_ done: Int, _ total: Int) -> Void)? = nil)
    throws -> ImportanceWeightedEvaluation {
    let n = try checkEvaluationInputs(model: model, images: images, labels: labels, batchSize: batchSize, limit: limit)
    guard k >= 1 else { throw EvaluationError("the number of importance samples k must be at least 1, not \(k)") }
    guard chunkSize >= 1 else { throw EvaluationError("the chunk size must be at least 1, not \(chunkSize)") }
    let batch = min(batchSize, n)
    let chunk = try ImportanceWeightedMemory.evaluationChunk(model: model.configuration, samples: k, batchSize: batch, chunkSize: chunkSize)
    let watch = Stopwatch()
    var random = RandomSource(seed: seed)
    var workspace = ImportanceWorkspace(samples: k, chunkSize: chunk, latent: model.configuration.latentDimensions)
    var weights = [Double](repeating: 0, count: batch * k)               // (B, k)
    var imageWeights = [Double](repeating: 0, count: k)                   // (k)
    var logLikelihoods: [Double] = []
    logLikelihoods.reserveCapacity(n)
    try inEvaluationMode(model) {
        for batchStart in stride(from: 0, to: n, by: batchSize) {
            let range = batchStart..<min(batchStart + batchSize, n)
            try workspace.logWeights(model: model, images: images.rows(range),
                                     labels: labels.map { Array($0[range]) }, using: &random, into: &weights)
            for i in 0..<range.count {
                for s in 0..<k { imageWeights[s] = weights[i * k + s] }
                logLikelihoods.append(logMeanExp(imageWeights))
            }
            progress?(range.upperBound, n)
        }
    }
    return ImportanceWeightedEvaluation(samples: k, count: n, logLikelihoods: logLikelihoods,
                                        negativeLogLikelihood: MeanEstimate(logLikelihoods.map { -$0 }),
                                        seconds: watch.elapsedSeconds)
}

/// The scratch memory of the importance-weighted estimate, allocated once per evaluation.
struct ImportanceWorkspace {
    let samples: Int
    let chunkSize: Int
    let latent: Int
    /// ε of one chunk, (chunk, D).
    private var epsilon: [Float]
    /// log p(z) − log q(z|x) of each code of one chunk, (chunk).
    private var logPriorRatio: [Double]
    /// The image each code of a chunk belongs to, and its label.
    private var rowImage: [Int]
    private var rowLabels: [Int]
    /// The model's prior, made ready at the first batch (nil until then).
    private var prior: PreparedPrior?

    init(samples: Int, chunkSize: Int, latent: Int) {
        self.samples = samples; self.chunkSize = chunkSize; self.latent = latent
        epsilon = [Float](repeating: 0, count: chunkSize * latent)
        logPriorRatio = [Double](repeating: 0, count: chunkSize)
        rowImage = [Int](repeating: 0, count: chunkSize)
        rowLabels = rowImage
    }

    /// The k log-weights of each image of a batch (B, 1, 28, 28), written to `weights[i·k + s]`,
    /// with ε drawn from `random` in order image, sample, dimension. The model must already be
    /// in evaluation mode.
    mutating func logWeights(model: VAE, images: Tensor, labels: [Int]?, using random: inout RandomSource,
                             into weights: inout [Double]) throws {
        let (b, k, d) = (images.shape[0], samples, latent)
        let pixels = images.count / b
        let likelihood = model.preparedLikelihood(pixels: pixels)
        precondition(weights.count >= b * k, "log-weight buffer too small")
        let (mean, logVariance, features) = try model.encodeWithFeatures(images, labels: labels)  // (B, D) each
        let sigma = logVariance.map { exp(0.5 * $0) }                                  // (B, D)
        let context = model.flow.map { $0.contextVectors(features) }                   // (B, C), with a flow
        if prior == nil { prior = try model.preparedPrior() }
        let otherPrior = prior.flatMap { $0.isStandardNormal ? nil : $0 }            // log p(z) added after the loop
        let pairs = b * k
        for chunkStart in stride(from: 0, to: pairs, by: chunkSize) {
            let c = min(chunkSize, pairs - chunkStart)
            // z (C, D) = μ + σ ⊙ ε, and log p(z) − log q(z|x) per code (with a flow, all but the
            // z_T² and log-determinant terms, added after the flow's pass; with another prior than
            // N(0, I), all but its log p(z)).
            let flowing = model.flow != nil || otherPrior != nil
            var z = Tensor(shape: [c, d])
            epsilon.withUnsafeMutableBufferPointer { e in
                random.fillGaussian(UnsafeMutableBufferPointer(rebasing: e[0..<(c * d)]))
                z.withUnsafeMutableBufferPointer { pz in
                    mean.withUnsafeBufferPointer { mu in
                        sigma.withUnsafeBufferPointer { sd in
                            logVariance.withUnsafeBufferPointer { lv in
                                for r in 0..<c {
                                    let image = (chunkStart + r) / k
                                    rowImage[r] = image
                                    var halfSum = 0.0
                                    for j in 0..<d {
                                        let eps = e[r * d + j]
                                        let value = mu[image * d + j] + sd[image * d + j] * eps
                                        pz[r * d + j] = value
                                        let square = flowing ? 0 : Double(value) * Double(value)
                                        halfSum += square - Double(eps) * Double(eps) - Double(lv[image * d + j])
                                    }
                                    logPriorRatio[r] = -0.5 * halfSum
                                }
                            }
                        }
                    }
                }
            }
            if let flow = model.flow, let context {
                z = flowCodes(flow, z0: z, context: context, rows: c, standardNormal: otherPrior == nil)
            }
            if let otherPrior {          // log p(z) + ½ D log 2π: log q's log 2π, which N(0, I)'s cancelled
                let logPrior = otherPrior.logDensity(z)
                let halfLog2π = 0.5 * Double(d) * log(2 * Double.pi)
                for r in 0..<c { logPriorRatio[r] += logPrior[r] + halfLog2π }
            }
            var chunkLabels: [Int]? = nil
            if let labels {
                for r in 0..<c { rowLabels[r] = labels[rowImage[r]] }
                chunkLabels = Array(rowLabels[0..<c])
            }
            let logits = try model.decode(z, labels: chunkLabels)                     // (C, 1, 28, 28)
            // w = log p(x|z) + log p(z) − log q(z|x), rows split over the cores.
            logits.withUnsafeBufferPointer { l in
                images.withUnsafeBufferPointer { x in
                    weights.withUnsafeMutableBufferPointer { w in
                        logPriorRatio.withUnsafeBufferPointer { ratio in
                            rowImage.withUnsafeBufferPointer { owner in
                                nonisolated(unsafe) let (pl, px, pw) = (l.baseAddress!, x.baseAddress!, w.baseAddress!)
                                nonisolated(unsafe) let (pr, po) = (ratio.baseAddress!, owner.baseAddress!)
                                let stripes = c >= 64 ? min(computeThreads, 8) : 1
                                DispatchQueue.concurrentPerform(iterations: stripes) { stripe in
                                    for r in (stripe * c / stripes)..<((stripe + 1) * c / stripes) {
                                        let logLikelihood = likelihood.logLikelihood(output: pl + r * pixels,
                                                                                     targets: px + po[r] * pixels, count: pixels)
                                        pw[chunkStart + r] = logLikelihood + pr[r]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

extension ImportanceWorkspace {
    /// z_T (C, D) of a chunk's codes z₀ (C, D), each with its image's context (a row of `context`,
    /// (B, C)), and the flow's terms added to `logPriorRatio`: its log-determinant Σ_t Σ_d log σ_t,d,
    /// and with `standardNormal` N(0, I)'s −½ Σ_d z_T,d² (another prior adds its own log p(z_T)).
    private mutating func flowCodes(_ flow: any PosteriorFlow, z0: Tensor, context: Tensor, rows c: Int,
                                    standardNormal: Bool) -> Tensor {
        let width = context.shape[1]
        var rowContext = Tensor(shape: [c, width])                                   // (C, C_h)
        rowContext.withUnsafeMutableBufferPointer { out in
            context.withUnsafeBufferPointer { h in
                for r in 0..<c {
                    _ = UnsafeMutableBufferPointer(rebasing: out[(r * width)..<((r + 1) * width)])
                        .update(fromContentsOf: h[(rowImage[r] * width)..<((rowImage[r] + 1) * width)])
                }
            }
        }
        let (z, logDeterminants) = flow.forward(z0, context: rowContext)
        let d = z.shape[1]
        z.withUnsafeBufferPointer { pz in
            for r in 0..<c {
                guard standardNormal else { logPriorRatio[r] += logDeterminants[r]; continue }
                var squares = 0.0
                for j in 0..<d { squares += Double(pz[r * d + j]) * Double(pz[r * d + j]) }
                logPriorRatio[r] += -0.5 * squares + logDeterminants[r]
            }
        }
        return z
    }
}

/// Naive reference of the log-weights of one image x (1, 1, 28, 28): one decoder pass per sample,
/// each term of the definition in Double, with log 2π kept. `epsilon` holds the k draws, (k, D).
func importanceLogWeightsReference(model: VAE, image: Tensor, label: Int?, epsilon: [Float]) throws -> [Double] {
    let d = model.configuration.latentDimensions
    let prior = model.configuration.prior == .standardNormal ? nil : try model.preparedPrior()
    let labels = label.map { [$0] }
    let (mean, logVariance, features) = try model.encodeWithFeatures(image, labels: labels)
    let log2π = log(2 * Double.pi)
    var weights: [Double] = []
    for s in 0..<(epsilon.count / d) {
        let eps = Array(epsilon[(s * d)..<((s + 1) * d)])
        var z = Tensor(shape: [1, d])
        var logPrior = 0.0, logPosterior = 0.0
        for j in 0..<d {
            let sigma = exp(0.5 * logVariance.scalars[j])
            z.scalars[j] = mean.scalars[j] + sigma * eps[j]
            logPrior += -0.5 * (Double(z.scalars[j]) * Double(z.scalars[j]) + log2π)
            logPosterior += -0.5 * (Double(eps[j]) * Double(eps[j]) + log2π + Double(logVariance.scalars[j]))
        }
        if let flow = model.flow {       // z_T, and log q(z_T|x) = log q(z₀|x) − log-determinant
            let (zT, logDeterminants) = flow.forward(z, context: flow.contextVectors(features))
            z = zT
            logPrior = zT.scalars.reduce(0.0) { $0 - 0.5 * (Double($1) * Double($1) + log2π) }
            logPosterior -= logDeterminants[0]
        }
        if let prior { logPrior = prior.logDensity(z)[0] }      // another prior than N(0, I)
        let logits = try model.decode(z, labels: labels)
        let logLikelihood = model.likelihood.referenceLogLikelihood(output: logits.scalars, targets: image.scalars)
        weights.append(logLikelihood + logPrior - logPosterior)
    }
    return weights
}
