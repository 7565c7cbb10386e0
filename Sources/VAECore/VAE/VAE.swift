import Foundation

/// A variational autoencoder: an encoder q(z|x) = N(μ(x), diag σ²(x)), a decoder whose outputs ℓ
/// (one per pixel) parameterise the likelihood p(x|z) (`Likelihood`: Bernoulli(σ(ℓ)) by default),
/// and the prior p(z) (`prior`: N(0, I) by default, or the VampPrior). Its networks are built from
/// `configuration.architecture`. With `configuration.flow`, q(z|x) is that Gaussian followed by an
/// inverse autoregressive flow (`flow`; training and evaluation in `VAE+Flow.swift`).
///
/// Training maximises the evidence lower bound, per image,
///
///     ELBO(x) = E_q[log p(x|z)] − KL(q(z|x) ‖ p(z))  ≤  log p(x),
///
/// by minimising its negation: the reconstruction term −log p(x|z) summed over pixels (the binary
/// cross-entropy, for a Bernoulli), plus β·KL (β = 1 is the true ELBO; chapter 6 varies it). Both
/// are reported in nats per image.
///
/// Parameters carry the names PyTorch's `state_dict` would give the same modules
/// (`encoder.conv1.weight`, `encoder.bn1.running_mean`, `decoder.deconv1.weight`, …), so a
/// checkpoint loads into an equivalent PyTorch model.
public final class VAE {
    public let configuration: VAEConfiguration
    /// Every layer's name and shapes, as the architecture resolved them (diagrams, benchmarks).
    public let layout: (encoder: [Architecture.ResolvedLayer], head: Architecture.ResolvedLayer, decoder: [Architecture.ResolvedLayer])
    /// The encoder's layers: (B, 1, 28, 28) → (B, F).
    public let encoderBody: Sequential
    /// (B, F [+ classes]) → (B, 2·D): μ in the first D columns, log σ² in the rest.
    public let encoderHead: Linear
    /// (B, D [+ classes]) → (B, 1, 28, 28): the likelihood's parameter ℓ per pixel.
    public let decoder: Sequential
    /// With `labelCentres`: the centre m_y of each label in code space, (classes, D), named
    /// `label_centres.weight`; it starts at zero (the plain CVAE).
    public let labelCentres: Parameter?
    /// The decoder's likelihood p(x|z), bound to its parameters (a learned variance,
    /// `likelihood.log_variance`), if it has any.
    public let likelihood: any PixelLikelihood
    /// F, the number of features the encoder's layers produce.
    public let featureCount: Int
    /// The flow after the Gaussian (`configuration.flow`: the IAF's steps), named `flow.…`; nil
    /// for the Gaussian posterior alone.
    let flow: (any PosteriorFlow)?
    /// The prior p(z) (`configuration.prior`): its KL term, its density and its draws; its
    /// parameters, if any, are named `prior.…`.
    let prior: any Prior

    /// A VAE with weights drawn from `random` by PyTorch's default initialisation, layer by layer
    /// in order: the encoder's, its head, the decoder's, the flow's, then the prior's (so a model
    /// without a flow or a prior of its own draws what it always drew).
    /// - Throws: `VAEConfigurationError` when the configuration cannot be built (a layer whose
    ///   input does not fit is named, with both shapes).
    public init(_ configuration: VAEConfiguration = .reference, using random: inout RandomSource) throws {
        try configuration.validate()
        self.configuration = configuration
        let latent = configuration.latentDimensions
        let classes = configuration.classCount
        layout = try configuration.architecture.resolve(latentDimensions: latent, classCount: classes)

        encoderBody = try Sequential(layout.encoder.map { ($0.name, try $0.spec.makeLayer(input: $0.input, using: &random)) })
        // The images need no gradient: a first convolution skips computing one (unless the prior's
        // own images, the VampPrior's pseudo-inputs, pass through the encoder and learn).
        (encoderBody.layers.first as? Conv2d)?.computesInputGradient = configuration.prior.encodesInputs
        featureCount = layout.head.input[0] - classes
        encoderHead = try Linear(inputFeatures: layout.head.input[0], outputFeatures: 2 * latent, using: &random)
        decoder = try Sequential(layout.decoder.map { ($0.name, try $0.spec.makeLayer(input: $0.input, using: &random)) })

        labelCentres = configuration.labelCentres
            ? Parameter(name: "label_centres.weight", value: Tensor(shape: [classes, latent])) : nil
        likelihood = configuration.likelihood.makePart()
        let features = featureCount
        flow = try configuration.flow.map { try $0.makeFlow(latentDimensions: latent, features: features, using: &random) }
        prior = configuration.prior.makePrior(latentDimensions: latent, using: &random)

        for p in encoderBody.parameters + encoderBody.buffers { p.name = "encoder." + p.name }
        for p in encoderHead.parameters { p.name = "encoder.\(layout.head.name)." + p.name }
        for p in decoder.parameters + decoder.buffers { p.name = "decoder." + p.name }
    }

    /// Multiply-adds of one image's forward pass through encoder, head, flow (if any) and decoder:
    /// the reference model's 3.6 million make about 21.6 MFLOP per image for a training step
    /// (×2 FLOP, ×3 passes).
    public var forwardMultiplyAdds: Int {
        (layout.encoder + [layout.head] + layout.decoder).map(\.multiplyAdds).reduce(flow?.multiplyAdds ?? 0) { total, count in
            let (sum, overflow) = total.addingReportingOverflow(count)
            return overflow ? .max : sum
        }
    }

    /// The number of trained values.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.value.count } }

    /// Every trained tensor, in state_dict order: what the optimizer updates.
    public var parameters: [Parameter] {
        encoderBody.parameters + encoderHead.parameters + decoder.parameters + (labelCentres.map { [$0] } ?? [])
            + likelihood.parameters + (flow?.parameters ?? []) + prior.parameters
    }
    /// BatchNorm's running statistics: saved, not trained.
    public var buffers: [Parameter] { encoderBody.buffers + decoder.buffers }

    /// Training mode uses batch statistics in BatchNorm; evaluation mode the running ones.
    public var isTraining: Bool {
        get { encoderBody.isTraining }
        set { encoderBody.isTraining = newValue; decoder.isTraining = newValue }
    }

    /// Sets every parameter's gradient to zero.
    public func zeroGradients() { for p in parameters { p.zeroGradient() } }

    // MARK: Forward

    /// The one-hot labels of a conditional model, checked; nil for a plain one.
    func condition(_ labels: [Int]?, batch: Int) throws -> Tensor? {
        guard configuration.classCount > 0 else { return nil }
        guard let labels, labels.count == batch else {
            throw VAEConfigurationError("a conditional VAE needs one label per image (\(batch) images, \(labels?.count ?? 0) labels)")
        }
        guard labels.allSatisfy({ (0..<configuration.classCount).contains($0) }) else {
            throw VAEConfigurationError("labels must lie in 0..<\(configuration.classCount)")
        }
        return Tensor.oneHot(labels, classes: configuration.classCount)
    }

    /// q(z|x): the mean and log-variance of each image's code, (B, D) each. With a flow these
    /// describe z₀, the Gaussian the flow starts from: μ is z₀'s mean, not z_T's.
    public func encode(_ images: Tensor, labels: [Int]? = nil) throws -> (mean: Tensor, logVariance: Tensor) {
        let (mean, logVariance, _) = try encodeWithFeatures(images, labels: labels)
        return (mean, logVariance)
    }

    /// `encode`, and the encoder's features (B, F) the head saw (without the labels' columns):
    /// the flow's context is computed from them.
    func encodeWithFeatures(_ images: Tensor, labels: [Int]? = nil) throws -> (mean: Tensor, logVariance: Tensor, features: Tensor) {
        guard images.rank == 4, Array(images.shape.dropFirst()) == Architecture.imageShape else {
            throw VAEConfigurationError("the VAE takes (B, 1, 28, 28) images, not \(images.shape)")
        }
        let onehot = try condition(labels, batch: images.shape[0])
        let body = encoderBody.forward(images)                             // (B, F)
        let features = onehot.map { Tensor.concatenateColumns(body, $0) } ?? body
        let statistics = encoderHead.forward(features)                     // (B, 2D)
        let d = configuration.latentDimensions
        var mean = statistics.columns(0..<d)
        if let onehot, let centres = centres(onehot) { mean = mean - centres }   // relative to m_y
        return (mean, statistics.columns(d..<2 * d), body)
    }

    /// m_y for each row of `onehot` (B, classes): (B, D); nil without label centres.
    private func centres(_ onehot: Tensor) -> Tensor? {
        guard let labelCentres else { return nil }
        return Tensor.matmul(onehot, labelCentres.value)
    }

    /// The decoder's input: the code (shifted back by m_y with label centres) and the one-hot
    /// labels side by side, (B, D [+ classes]).
    func decoderInput(_ z: Tensor, onehot: Tensor?) -> Tensor {
        guard let onehot else { return z }
        return Tensor.concatenateColumns(centres(onehot).map { z + $0 } ?? z, onehot)
    }

    /// The decoder's outputs ℓ (B, 1, 28, 28) for codes (B, D): the likelihood's parameter per pixel
    /// (Bernoulli logits by default).
    public func decode(_ z: Tensor, labels: [Int]? = nil) throws -> Tensor {
        guard z.rank == 2, z.shape[1] == configuration.latentDimensions else {
            throw VAEConfigurationError("codes must be (B, \(configuration.latentDimensions)), not \(z.shape)")
        }
        let onehot = try condition(labels, batch: z.shape[0])
        return decoder.forward(decoderInput(z, onehot: onehot))
    }

    /// z = μ + σ ⊙ ε with ε ~ N(0, I) from `random`, σ = exp(½ log σ²): the reparameterisation
    /// (chapter 4), which keeps z a differentiable function of μ and log σ².
    /// `noise`, when given, is used as ε instead of a draw (reference comparisons).
    public static func reparameterize(mean: Tensor, logVariance: Tensor, noise: Tensor? = nil,
                                      using random: inout RandomSource)
        -> (z: Tensor, epsilon: Tensor, standardDeviation: Tensor) {
        let epsilon = noise ?? Tensor.gaussian(mean.shape, using: &random)
        let sigma = logVariance.map { exp(0.5 * $0) }
        return (mean + sigma * epsilon, epsilon, sigma)
    }

    // MARK: Training

    /// The gradient of the loss with respect to the encoder head's output (μ, log σ²), (B, 2D),
    /// from ∂L/∂z (B, D [+ classes]: the label columns of a conditional model are ignored), the
    /// noise ε and σ of the reparameterisation, and the KL term's gradients with weight w:
    ///
    ///     ∂L/∂μ      = ∂L/∂z + w·∂KL/∂μ                      (∂z/∂μ = 1)
    ///     ∂L/∂log σ² = ∂L/∂z ⊙ (σ ⊙ ε · ½) + w·∂KL/∂log σ²    (∂z/∂log σ² = σε/2)
    ///
    /// written straight into the two halves of each row, in one pass.
    /// - Complexity: O(B·D).
    public static func latentGradient(dz: Tensor, epsilon: Tensor, standardDeviation sigma: Tensor,
                                      kl: KLDivergenceResult, klWeight w: Float) -> Tensor {
        let (b, d) = (epsilon.shape[0], epsilon.shape[1])
        precondition(dz.rank == 2 && dz.shape[0] == b && dz.shape[1] >= d && sigma.shape == epsilon.shape
                     && kl.meanGradient.shape == epsilon.shape && kl.logVarianceGradient.shape == epsilon.shape,
                     "latentGradient: shapes dz \(dz.shape), ε \(epsilon.shape), σ \(sigma.shape) do not match")
        let stride = dz.shape[1]
        var result = Tensor(shape: [b, 2 * d])
        result.withUnsafeMutableBufferPointer { out in
            dz.withUnsafeBufferPointer { g in
                epsilon.withUnsafeBufferPointer { e in
                    sigma.withUnsafeBufferPointer { s in
                        kl.meanGradient.withUnsafeBufferPointer { km in
                            kl.logVarianceGradient.withUnsafeBufferPointer { kv in
                                for row in 0..<b {
                                    for j in 0..<d {
                                        let i = row * d + j, dzi = g[row * stride + j]
                                        // The same operations, in the same order, as the Tensor
                                        // expressions dz + kl·w and dz ⊙ (σ ⊙ ε ⊙ ½) + kl·w.
                                        let halfSigmaEpsilon = (s[i] * e[i]) * 0.5
                                        out[row * 2 * d + j] = dzi + km[i] * w
                                        out[row * 2 * d + d + j] = dzi * halfSigmaEpsilon + kv[i] * w
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return result
    }

    /// One forward and backward pass of the ELBO on a batch: returns the loss terms in nats per
    /// image and **accumulates** the gradient of the batch-mean loss into every parameter. It is
    /// the training step (`trainingStep`, `VAE+TrainingStep.swift`) with the objective
    /// `.elbo(objective, freeBits: freeBits)`: one code per image.
    ///
    /// The backward pass, from the loss to the input:
    ///
    ///     ∂L/∂ℓ       = the likelihood's gradient / B               ((σ(ℓ) − x)/B for a Bernoulli)
    ///     ∂L/∂z       = decoder.backward(∂L/∂logits)
    ///     ∂L/∂μ       = ∂L/∂z + w·μ / B                            (z = μ + σε; KL′ in μ)
    ///     ∂L/∂log σ²  = ∂L/∂z ⊙ ε ⊙ σ/2 + w·(e^{log σ²} − 1)/(2B)  (∂z/∂log σ² = εσ/2)
    ///     encoder.backward([∂L/∂μ, ∂L/∂log σ²])
    ///
    /// where w is the KL weight the objective gives (β, or ±γ for the capacity objective).
    /// With `freeBits` λ the objective sees Σ_d max(λ, KL̄_d) instead of the KL (`freeBitsKL`):
    /// the KL's gradients vanish for the dimensions whose batch-averaged KL is below λ. The
    /// returned `kl` is always the plain KL, `objective` what was minimised.
    /// These are the N(0, I) prior's terms; the model's `prior` supplies them (`Prior.klTerm`). A
    /// prior without a closed-form KL (the VampPrior) gives the one-sample KL̂ = log q(z|x) − log p(z)
    /// at this z, whose gradient with respect to z joins ∂L/∂z (weighted by w); its pseudo-inputs
    /// are encoded in evaluation mode (`encodeForTraining`), and their gradient flows back to them.
    /// `targets` default to the images (a binarized batch is both); `noise` (B, D) replaces the ε draw.
    ///
    /// The posterior is a part too: with an IAF (`flow`), z is the flow's z_T of z₀ = μ + σε
    /// (`flowCodes`), the KL term is the prior's one-sample KL̂ with the flow's log-determinant
    /// in log q (`Prior.oneSampleKLTerm`), and ∂L/∂z_T goes back through the flow to z₀ and to the
    /// encoder's features (`flowBackward`; `VAE+Flow.swift` derives each line). Such a model takes
    /// β (constant or warm-up) but neither free bits nor the capacity objective.
    public func accumulateGradients(images: Tensor, targets: Tensor? = nil, labels: [Int]? = nil,
                                    objective: KLObjective = .beta(1), freeBits: Double? = nil, noise: Tensor? = nil,
                                    using random: inout RandomSource) throws -> ELBOTerms {
        let shape = [images.shape.first ?? 0, configuration.latentDimensions]
        if let noise, noise.shape != shape { throw VAEConfigurationError("the noise must be (B, D) = \(shape), not \(noise.shape)") }
        return try trainingStep(images: images, targets: targets, labels: labels, objective: .elbo(objective, freeBits: freeBits),
                                noise: noise?.reshaped([1] + shape), using: &random).terms
    }
}

/// How the KL term enters the training loss.
public enum KLObjective: Sendable, Equatable {
    /// reconstruction + β·KL (Higgins et al.'s β-VAE; β = 1 is the ELBO).
    case beta(Double)
    /// reconstruction + γ·|KL − C| (Burgess et al.'s capacity objective): the KL is pulled
    /// towards a target capacity C (in nats), which the schedule raises during training.
    case capacity(gamma: Double, target: Double)

    /// The KL's share of the loss at this KL.
    public func value(kl: Double) -> Double {
        switch self {
        case .beta(let beta): beta * kl
        case .capacity(let gamma, let target): gamma * abs(kl - target)
        }
    }

    /// ∂(loss)/∂KL: β, or γ·sign(KL − C).
    public func klWeight(kl: Double) -> Double {
        switch self {
        case .beta(let beta): beta
        case .capacity(let gamma, let target): kl >= target ? gamma : -gamma
        }
    }
}

/// The terms of the loss, in nats per image.
public struct ELBOTerms: Sendable, Equatable, Codable {
    /// −E_q[log p(x|z)], one sample, summed over pixels (the binary cross-entropy, for a Bernoulli).
    public var reconstruction: Double
    /// KL(q(z|x) ‖ p(z)).
    public var kl: Double
    /// What was minimised: reconstruction + the objective's KL term.
    public var objective: Double
    /// The evidence lower bound, −(reconstruction + KL), whatever the objective.
    public var elbo: Double { -(reconstruction + kl) }

    public init(reconstruction: Double, kl: Double, objective: Double) {
        self.reconstruction = reconstruction; self.kl = kl; self.objective = objective
    }
}

/// Training that cannot go on.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// One batch's loss is NaN or infinite (thrown by the training step, `VAE.trainingStep`).
    case nonFiniteLoss(reconstruction: Double, kl: Double)
    /// The same, seen by the `Trainer`, which says where: update `step` (from 0) of epoch `epoch`
    /// (from 1). Nothing was saved after the last finite epoch.
    case diverged(epoch: Int, step: Int, reconstruction: Double, kl: Double)
    /// A parameter, buffer or optimizer moment holds NaN or ±∞ at the end of an epoch, although
    /// the losses were finite: the state is not saved, so the last checkpoint stays good.
    case nonFiniteState(epoch: Int, tensor: String)
    /// The test terms after epoch `epoch` are NaN or infinite, although training's were finite
    /// (a broken BatchNorm statistic, say): the epoch is not saved.
    case nonFiniteEvaluation(epoch: Int, reconstruction: Double, kl: Double)
    /// The trainer was used again after one of the errors above; resume from the checkpoint.
    case stopped(reason: String)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let r, let kl):
            "the loss is not finite (reconstruction \(r), KL \(kl)): training diverged; lower the learning rate or check the data"
        case .diverged(let epoch, let step, let r, let kl):
            "training diverged at update \(step) (epoch \(epoch)): the loss is not finite (reconstruction \(r), KL \(kl)); the last checkpoint is kept as it was; lower the learning rate or check the data"
        case .nonFiniteState(let epoch, let tensor):
            "'\(tensor)' holds NaN or infinity after epoch \(epoch): training diverged; the state is not saved and the last checkpoint is kept as it was"
        case .nonFiniteEvaluation(let epoch, let r, let kl):
            "the test terms after epoch \(epoch) are not finite (reconstruction \(r), KL \(kl)): the model is broken; the epoch is not saved and the last checkpoint is kept as it was"
        case .stopped(let reason):
            "this trainer stopped after an error (\(reason)); start a new one from the last checkpoint"
        }
    }
}

