import Foundation

/// Which prior p(z) a VAE has: part of its `VAEConfiguration`, saved in every checkpoint's
/// `model_config` (and left out of it for the standard normal, so that the JSON and the
/// fingerprints of every earlier model stay what they were).
///
/// - `standardNormal`: p(z) = N(0, I), the course's prior since chapter 4. Its KL from the
///   Gaussian posterior has a closed form.
/// - `vamp(pseudoInputs: K)`: Tomczak and Welling's VampPrior (`VampPrior`), the mixture of the
///   encoder's own posteriors at K learned pseudo-inputs. Its KL has no closed form: training
///   uses a one-sample estimate.
public enum PriorConfiguration: Equatable, Sendable, Codable {
    case standardNormal
    case vamp(pseudoInputs: Int)

    /// The most pseudo-inputs accepted: every training step encodes all of them beside the batch,
    /// so 5,000 already cost the encoder forty batches of work per update.
    static let maximumPseudoInputs = 5000

    /// The prior called `name` on the command line (`standard-normal`, `vamp`), with K pseudo-inputs
    /// for the VampPrior (default 500, Tomczak and Welling's for MNIST).
    /// - Throws: `VAEConfigurationError` for another name, or K given to a prior without pseudo-inputs.
    public static func named(_ name: String, pseudoInputs: Int? = nil) throws -> PriorConfiguration {
        switch name {
        case "standard-normal", "standard_normal", "normal":
            guard pseudoInputs == nil else {
                throw VAEConfigurationError("the standard normal prior has no pseudo-inputs; --pseudo-inputs belongs to --prior vamp")
            }
            return .standardNormal
        case "vamp": return .vamp(pseudoInputs: pseudoInputs ?? 500)
        default: throw VAEConfigurationError("unknown prior '\(name)'; choose standard-normal or vamp")
        }
    }

    /// Whether KL(q(z|x) ‖ p(z)) has a closed form in (μ, log σ²): free bits and the capacity
    /// objective clamp or steer that closed form, and the importance-weighted objective is
    /// written for N(0, I).
    var hasClosedFormKL: Bool { self == .standardNormal }

    /// Whether the encoder also encodes images of the prior's own (the VampPrior's
    /// pseudo-inputs), so that its first layer must pass a gradient back to its input.
    var encodesInputs: Bool { self != .standardNormal }

    /// "N(0, I)" or "a VampPrior of 500 pseudo-inputs".
    public var summary: String {
        switch self {
        case .standardNormal: "N(0, I)"
        case .vamp(let k): "a VampPrior of \(k) pseudo-input\(k == 1 ? "" : "s")"
        }
    }

    /// Throws for a prior the model cannot have: a K outside 1...`maximumPseudoInputs`, or a
    /// VampPrior with a conditional model (its pseudo-inputs would need labels).
    func validate(classCount: Int) throws {
        guard case .vamp(let k) = self else { return }
        guard (1...Self.maximumPseudoInputs).contains(k) else {
            throw VAEConfigurationError("a VampPrior needs 1...\(Self.maximumPseudoInputs) pseudo-inputs, not \(k)")
        }
        guard classCount == 0 else {
            throw VAEConfigurationError("the VampPrior is written for an unconditional model, not one conditional on \(classCount) labels (its pseudo-inputs have no label)")
        }
    }

    /// The prior part of a model of `latentDimensions`, its parameters drawn from `random`.
    func makePrior(latentDimensions: Int, using random: inout RandomSource) -> any Prior {
        switch self {
        case .standardNormal: StandardNormalPrior(latentDimensions: latentDimensions)
        case .vamp(let k): VampPrior(pseudoInputs: k, latentDimensions: latentDimensions, using: &random)
        }
    }

    private enum CodingKeys: String, CodingKey { case type, pseudoInputs }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        switch try c.decode(String.self, forKey: .type) {
        case "standard_normal": self = .standardNormal
        case "vamp": self = .vamp(pseudoInputs: try c.decode(Int.self, forKey: .pseudoInputs))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: c, debugDescription: "unknown prior '\(other)' (standard_normal or vamp)")
        }
    }

    /// {"type": "standard_normal"} or {"type": "vamp", "pseudoInputs": K}.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .standardNormal: try c.encode("standard_normal", forKey: .type)
        case .vamp(let k):
            try c.encode("vamp", forKey: .type)
            try c.encode(k, forKey: .pseudoInputs)
        }
    }
}

/// What a training step's KL term is, as the prior computes it for a batch of B images, in nats
/// per image (every gradient is that of the batch mean, divided by B).
struct PriorKLTerm {
    /// The KL as training reports it: the closed form, or the batch mean of the one-sample
    /// KL̂ = log q(z|x) − log p(z), with its gradients with respect to μ and log σ² (B, D) holding
    /// q's and p's direct dependence on them (not the path through z).
    var kl: KLDivergenceResult
    /// What the objective weighs: `kl`, or the free-bits form of the closed-form KL.
    var objective: KLDivergenceResult
    /// ∂(objective)/∂z (B, D); nil when the term does not depend on z (a closed form).
    var codeGradient: CodeGradient?
    /// ∂(objective)/∂(μ_k, log σ²_k) of the posteriors of the prior's encoder inputs (K, D each);
    /// nil for a prior without them.
    var inputPosteriorGradient: DiagonalGaussian?
}

/// A KL term's gradient with respect to the codes z (B, D), as the training step adds it into
/// ∂L/∂z with the KL's weight w.
enum CodeGradient {
    /// The batch mean's gradient, added as w·g.
    case mean(Tensor)
    /// Each image's own gradient, added as (w/B)·g, with w/B rounded once.
    case perImage(Tensor)
}

/// The prior p(z) of a VAE as a part of the model, with a hand-written forward and backward pass:
/// what a training step needs from it (the KL term and its gradients) and what the evaluations
/// need (log p(z) of each code, and draws).
///
/// A prior may ask the encoder to encode images of its own with each batch (`encoderInputs`): the
/// VampPrior's pseudo-inputs, whose posteriors q(z|u_k) are its mixture components. The model
/// encodes them (in evaluation mode, `VAE.encodeForTraining`), hands their posteriors to `klTerm`
/// and `logDensity`, and passes the gradient that reaches them back to
/// `backward(encoderInputGradient:)`.
///
/// Adding a prior: a type conforming to this protocol (in its own file), a case of
/// `PriorConfiguration` that builds it, and its name on `vae train`'s `--prior`.
protocol Prior: AnyObject {
    /// The trained tensors of the prior, under their `state_dict` names (`prior.…`); [] for none.
    var parameters: [Parameter] { get }

    /// The images (K, 1, 28, 28) the encoder encodes with every training batch, as the current
    /// parameters give them; nil for a prior that needs none.
    func encoderInputs() -> Tensor?

    /// The KL term of a batch: posteriors (μ, log σ²) (B, D), the codes z = μ + σ ⊙ ε and ε
    /// (B, D), the posteriors of `encoderInputs` (nil without), and free bits λ (nil for none).
    /// - Throws: `LossError` for bad shapes or a bad λ; `VAEConfigurationError` for free bits
    ///   where the KL has no closed form.
    func klTerm(mean: Tensor, logVariance: Tensor, z: Tensor, epsilon: Tensor, freeBits: Double?,
                inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm

    /// The one-sample KL term of a posterior that is the Gaussian followed by a flow, z = z_T of
    /// z₀ = μ + σ ⊙ ε: KL̂ = log q(z|x) − log p(z) with log q(z|x) = −½ Σ_d (ε_d² + log σ²_d +
    /// log 2π) − log-determinant, its batch mean, and its gradients: −½/B in log σ² (q's direct
    /// term), nothing in μ, −∂log p(z)/∂z in z. The log-determinant's own gradient (−1 per image)
    /// is the flow's to pass back.
    func oneSampleKLTerm(z: Tensor, epsilon: Tensor, logVariance: Tensor, logDeterminants: [Double],
                         inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm

    /// Accumulates the gradient of the prior's parameters from ∂L/∂(encoderInputs) (K, 1, 28, 28).
    func backward(encoderInputGradient: Tensor)

    /// log p(z) of each row of `z` (N, D), in Double, log 2π included; `inputPosteriors` as for `klTerm`.
    func logDensity(_ z: Tensor, inputPosteriors: DiagonalGaussian?) -> [Double]

    /// The gradients of Σ_n g_n·log p(z_n) with respect to the codes z (N, D) and to the
    /// posteriors of `encoderInputs` (nil without): the importance-weighted bound weighs each
    /// code's log p(z) by its normalised weight.
    func logDensityGradients(_ z: Tensor, inputPosteriors: DiagonalGaussian?, rowWeights g: [Double])
        -> (z: Tensor, inputPosteriors: DiagonalGaussian?)

    /// `count` codes (count, D) drawn from p(z) by `random`, their noise scaled by `temperature`.
    func sample(count: Int, temperature: Float, inputPosteriors: DiagonalGaussian?, using random: inout RandomSource) -> Tensor
}

/// p(z) = N(0, I): the closed-form KL (`klDivergenceStandardNormal`, or `freeBitsKL` with free
/// bits), no parameters, no images of its own.
final class StandardNormalPrior: Prior {
    let latentDimensions: Int

    init(latentDimensions: Int) { self.latentDimensions = latentDimensions }

    var parameters: [Parameter] { [] }

    func encoderInputs() -> Tensor? { nil }

    func klTerm(mean: Tensor, logVariance: Tensor, z: Tensor, epsilon: Tensor, freeBits: Double?,
                inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm {
        let kl = try klDivergenceStandardNormal(mean: mean, logVariance: logVariance, reduction: .sumPerSample)
        // The KL term the objective sees: the KL itself, or with free bits at least λ per dimension.
        let objective = try freeBits.map { try freeBitsKL(mean: mean, logVariance: logVariance, freeBits: $0) } ?? kl
        return PriorKLTerm(kl: kl, objective: objective, codeGradient: nil, inputPosteriorGradient: nil)
    }

    /// KL̂ per image by `VAE.flowKLEstimates`; ∂KL̂/∂z = z of each image.
    func oneSampleKLTerm(z: Tensor, epsilon: Tensor, logVariance: Tensor, logDeterminants: [Double],
                         inputPosteriors: DiagonalGaussian?) throws -> PriorKLTerm {
        try LossError.requireSameShape("one-sample KL", "z", z, "epsilon", epsilon)
        try LossError.requireSameShape("one-sample KL", "z", z, "logVariance", logVariance)
        let b = z.shape[0]
        let value = VAE.flowKLEstimates(z: z, epsilon: epsilon, logVariance: logVariance, logDeterminants: logDeterminants)
            .reduce(0, +) / Double(b)
        let kl = KLDivergenceResult(value: value, meanGradient: Tensor(shape: z.shape),
                                    logVarianceGradient: Tensor(shape: z.shape, repeating: Float(-0.5 / Double(b))))
        return PriorKLTerm(kl: kl, objective: kl, codeGradient: .perImage(z), inputPosteriorGradient: nil)
    }

    func backward(encoderInputGradient: Tensor) {}

    /// Σ_d −½(z_d² + log 2π) of each row.
    func logDensity(_ z: Tensor, inputPosteriors: DiagonalGaussian?) -> [Double] {
        let (n, d) = (z.shape[0], z.shape[1])
        let log2π = log(2 * Double.pi)
        return z.withUnsafeBufferPointer { pz in
            (0..<n).map { row in
                var sum = 0.0
                for j in 0..<d { sum += Double(pz[row * d + j]) * Double(pz[row * d + j]) }
                return -0.5 * (sum + Double(d) * log2π)
            }
        }
    }

    /// ∂/∂z_n of g_n·(−½ z_n²) = −g_n·z_n.
    func logDensityGradients(_ z: Tensor, inputPosteriors: DiagonalGaussian?, rowWeights g: [Double])
        -> (z: Tensor, inputPosteriors: DiagonalGaussian?) {
        let (n, d) = (z.shape[0], z.shape[1])
        var dz = Tensor(shape: [n, d])
        dz.withUnsafeMutableBufferPointer { out in
            z.withUnsafeBufferPointer { pz in
                for row in 0..<n { for j in 0..<d { out[row * d + j] = Float(-g[row] * Double(pz[row * d + j])) } }
            }
        }
        return (dz, nil)
    }

    func sample(count: Int, temperature: Float, inputPosteriors: DiagonalGaussian?, using random: inout RandomSource) -> Tensor {
        Tensor.gaussian([count, latentDimensions], standardDeviation: temperature, using: &random)
    }
}

/// A model's prior made ready for evaluation: the posteriors of its encoder inputs computed once,
/// in the model's current mode (evaluation mode, for the evaluations).
struct PreparedPrior {
    let prior: any Prior
    let inputPosteriors: DiagonalGaussian?

    /// Whether the prior is N(0, I), whose terms the evaluations compute in their own closed forms.
    var isStandardNormal: Bool { prior is StandardNormalPrior }

    /// log p(z) of each row of z (N, D).
    func logDensity(_ z: Tensor) -> [Double] { prior.logDensity(z, inputPosteriors: inputPosteriors) }

    /// The one-sample KL̂ = log q(z|x) − log p(z) of each row, with log q(z|x) = −½ Σ_d (ε_d² +
    /// log σ²_d + log 2π) for z = μ + σ ⊙ ε (N, D each).
    func klEstimates(z: Tensor, epsilon: Tensor, logVariance: Tensor) -> [Double] {
        let (n, d) = (z.shape[0], z.shape[1])
        let logPrior = logDensity(z)
        let log2π = log(2 * Double.pi)
        return epsilon.withUnsafeBufferPointer { e in
            logVariance.withUnsafeBufferPointer { lv in
                (0..<n).map { row in
                    var sum = 0.0
                    for j in 0..<d { sum += Double(e[row * d + j]) * Double(e[row * d + j]) + Double(lv[row * d + j]) }
                    return -0.5 * (sum + Double(d) * log2π) - logPrior[row]
                }
            }
        }
    }

    /// `count` codes drawn from the prior.
    func sample(count: Int, temperature: Float, using random: inout RandomSource) -> Tensor {
        prior.sample(count: count, temperature: temperature, inputPosteriors: inputPosteriors, using: &random)
    }
}

extension VAE {
    /// The prior with the posteriors of its encoder inputs computed now, in the model's current
    /// mode: the evaluations call it in evaluation mode (BatchNorm's running statistics).
    func preparedPrior() throws -> PreparedPrior {
        guard let inputs = prior.encoderInputs() else { return PreparedPrior(prior: prior, inputPosteriors: nil) }
        let (mean, logVariance) = try encode(inputs)
        return PreparedPrior(prior: prior, inputPosteriors: DiagonalGaussian(mean: mean, logVariance: logVariance))
    }

    /// The training step's encoder pass: the batch's posteriors (B, D each) and the encoder's
    /// features (B, F) in training mode, and, for a prior with encoder inputs, their posteriors
    /// (`PriorPass`), encoded first.
    ///
    /// The prior's images are encoded in evaluation mode, with BatchNorm's running statistics as
    /// they stand before the batch's pass moves them: the prior is then the function of the
    /// weights that evaluation uses, and it cannot see the batch. (Encoding them in one
    /// training-mode pass with the batch would let BatchNorm's batch statistics carry the batch's
    /// images into every component: the prior would fit each batch through them, its KL̂ in
    /// training far below the one evaluation measures.) The layers cache one pass at a time, so
    /// `priorBackward` encodes them again, with the same statistics, before their backward pass.
    /// Without encoder inputs, exactly `encodeWithFeatures`.
    func encodeForTraining(_ images: Tensor, labels: [Int]?)
        throws -> (mean: Tensor, logVariance: Tensor, features: Tensor, priorPass: PriorPass?) {
        guard let inputs = prior.encoderInputs() else {
            let (mean, logVariance, features) = try encodeWithFeatures(images, labels: labels)
            return (mean, logVariance, features, nil)
        }
        let runningStatistics = encoderBody.buffers.map(\.value)
        let posteriors = encodePriorInputs(inputs)
        let (mean, logVariance, features) = try encodeWithFeatures(images, labels: labels)
        return (mean, logVariance, features, PriorPass(inputs: inputs, posteriors: posteriors, runningStatistics: runningStatistics))
    }

    /// The posteriors of the prior's images, (K, D) each, by the encoder in evaluation mode (its
    /// previous mode restored).
    private func encodePriorInputs(_ inputs: Tensor) -> DiagonalGaussian {
        let wasTraining = encoderBody.isTraining
        encoderBody.isTraining = false
        defer { encoderBody.isTraining = wasTraining }
        let statistics = encoderHead.forward(encoderBody.forward(inputs))                    // (K, 2D)
        let d = configuration.latentDimensions
        return DiagonalGaussian(mean: statistics.columns(0..<d), logVariance: statistics.columns(d..<2 * d))
    }

    /// The prior's images' backward pass, after the batch's: with the running statistics the
    /// forward pass used put back for the while, they are encoded again (the same values), and
    /// w·∂L/∂(μ_k, log σ²_k) flows through the head and the encoder's layers (accumulating
    /// their gradients) to the images, and from there into the prior's parameters.
    func priorBackward(_ pass: PriorPass, inputPosteriorGradient own: DiagonalGaussian, weight w: Float) {
        let moved = encoderBody.buffers.map(\.value)
        for (buffer, value) in zip(encoderBody.buffers, pass.runningStatistics) { buffer.value = value }
        defer { for (buffer, value) in zip(encoderBody.buffers, moved) { buffer.value = value } }
        _ = encodePriorInputs(pass.inputs)
        let wasTraining = encoderBody.isTraining
        encoderBody.isTraining = false
        defer { encoderBody.isTraining = wasTraining }
        let dStatistics = Tensor.concatenateColumns(own.mean, own.logVariance).map { $0 * w }   // (K, 2D)
        prior.backward(encoderInputGradient: encoderBody.backward(encoderHead.backward(dStatistics)))
    }

    /// The KL term's ∂/∂z, weighted by the KL's weight w (w·g, or (w/B)·g for a per-image
    /// gradient), added into the first D columns of ∂L/∂z (B, D [+ classes]); nothing for a KL
    /// that does not depend on z.
    static func addCodeGradient(_ term: PriorKLTerm, into dz: inout Tensor, klWeight weight: Double) {
        let g: Tensor, w: Float
        switch term.codeGradient {
        case nil: return
        case .mean(let mean)?: (g, w) = (mean, Float(weight))
        case .perImage(let perImage)?: (g, w) = (perImage, Float(weight / Double(perImage.shape[0])))
        }
        let (b, d, stride) = (g.shape[0], g.shape[1], dz.shape[1])
        dz.withUnsafeMutableBufferPointer { out in
            g.withUnsafeBufferPointer { pg in
                for row in 0..<b { for j in 0..<d { out[row * stride + j] += w * pg[row * d + j] } }
            }
        }
    }
}

/// What a training step keeps of its prior's encoder pass for the backward: the prior's images
/// (K, 1, 28, 28), their posteriors, and BatchNorm's running statistics as that pass used them.
struct PriorPass {
    let inputs: Tensor
    let posteriors: DiagonalGaussian
    let runningStatistics: [Tensor]
}
