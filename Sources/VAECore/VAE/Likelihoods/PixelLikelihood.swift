import Foundation

/// The decoder's likelihood p(x|z) = Π_j p(x_j | ℓ_j) as a part of the model: how the numbers ℓ
/// the decoder outputs (one per pixel) score an image x, with a hand-written forward and backward
/// pass. Each likelihood is one type conforming to this protocol, in its own file, listed once in
/// `Likelihood.parts`; every call site (training, evaluation, importance weighting, sampling, the
/// tools) goes through it and never asks which likelihood it holds.
///
/// The static requirements describe the configuration (`Likelihood`), and need no model: its
/// JSON and command-line names, its checks, whether its data are binarized. An instance is bound
/// to its parameters (if any), which the model trains with its own.
public protocol PixelLikelihood: AnyObject {
    /// The name the JSON configuration writes (`Likelihood.type`).
    static var kind: Likelihood.Kind { get }
    /// The name of `vae train --likelihood`.
    static var commandLineName: String { get }
    /// What it is, in a few words, for `--help`.
    static var commandLineHelp: String { get }
    /// Whether the data are binary: training binarizes them dynamically, evaluation once.
    static var binarizesData: Bool { get }
    /// The decoder output's line in the architecture diagram.
    static var diagramLine: String { get }
    /// Throws `VAEConfigurationError` for settings of `configuration` this likelihood does not take.
    static func validate(_ configuration: Likelihood) throws
    /// How it reads in a log line.
    static func summary(_ configuration: Likelihood) -> String
    /// The configuration `vae train --likelihood NAME [--sigma σ]` asks for.
    static func commandLineConfiguration(sigma: Double?) -> Likelihood
    /// Fresh parameters at their starting values, named as in the `state_dict`; none for most.
    static func makeParameters(_ configuration: Likelihood) -> [Parameter]

    /// The part of a valid `configuration`, bound to `parameters` (`makeParameters`'s list, or
    /// tensors of the same names and shapes).
    init(_ configuration: Likelihood, parameters: [Parameter])

    /// The configuration it was made from.
    var configuration: Likelihood { get }
    /// The trained tensors, in `state_dict` order; empty for a likelihood without parameters.
    var parameters: [Parameter] { get }

    /// The training loss −log p(x|z), summed over pixels and averaged over the batch (nats per
    /// image), and its gradient with respect to the outputs ℓ (B, …). The gradient of the part's
    /// own parameters is **accumulated** into them.
    /// - Throws: `LossError` for different or empty shapes, or targets the likelihood cannot score.
    func loss(output: Tensor, targets: Tensor) throws -> LossResult

    /// log p(x|z) of one image at a time, with whatever depends only on the parameters computed
    /// once: what the test ELBO and the importance-weighted bound call per image and per sample.
    func prepared(pixels: Int) -> PreparedLikelihood

    /// The importance-weighted bound's loss, batch-minor: −log p(x|z_r) of each code r (summed
    /// over pixels, into `negativeLogLikelihoods`) and its gradient with respect to the logits
    /// (pixels, k·B) divided by B, the gradient `loss` gives a batch of B; code s·B + n is scored
    /// against column n of the targets (pixels, B). Nothing is accumulated into the parameters
    /// (the codes' weights are not known yet: see `accumulateCodeParameterGradients`).
    /// - Throws: `VAEConfigurationError` for targets the likelihood cannot score.
    func codeLosses(logits: Tensor, targets: Tensor, negativeLogLikelihoods: inout [Double]) throws -> Tensor

    /// Accumulates into the parameters Σ_r weights[r]·∂(−log p(x|z_r))/∂θ / B for the logits and
    /// targets of `codeLosses`: the importance-weighted bound's gradient of the part's parameters.
    func accumulateCodeParameterGradients(logits: Tensor, targets: Tensor, weights: [Double])

    /// The mean image E[x|z] for outputs ℓ of any shape, in [0, 1].
    func mean(_ output: Tensor) -> Tensor
    /// The most probable image under p(x|z).
    func mode(_ output: Tensor) -> Tensor
    /// x ~ p(x|z), each pixel drawn independently from `random`, in [0, 1].
    func draw(_ output: Tensor, using random: inout RandomSource) -> Tensor

    /// log p(x|z) of one image by the defining formula, term by term in Double: the reference the
    /// tests hold the fast paths to.
    func referenceLogLikelihood(output: [Float], targets: [Float]) -> Double
}

extension PixelLikelihood {
    public static var diagramLine: String { "the likelihood's parameter per pixel" }

    /// A likelihood without settings refuses a σ.
    public static func validate(_ configuration: Likelihood) throws {
        guard configuration.sigma == nil else { throw VAEConfigurationError("a \(configuration.type) likelihood takes no sigma") }
    }

    public static func summary(_ configuration: Likelihood) -> String { kind.rawValue }

    /// The σ is kept, so that validation refuses it where it means nothing.
    public static func commandLineConfiguration(sigma: Double?) -> Likelihood { Likelihood(kind, sigma: sigma) }

    static func makeParameters(_ configuration: Likelihood) -> [Parameter] { [] }

    public var parameters: [Parameter] { [] }

    public func accumulateCodeParameterGradients(logits: Tensor, targets: Tensor, weights: [Double]) {}

    /// σ(ℓ): the Bernoulli's and the Gaussians' mean.
    public func mean(_ output: Tensor) -> Tensor { output.map { StableMath.sigmoid($0) } }

    /// The mean: a Gaussian's mode.
    public func mode(_ output: Tensor) -> Tensor { mean(output) }

    /// Whether the data are binarized (`PixelLikelihood.binarizesData`).
    public var binarizesData: Bool { Self.binarizesData }
    /// How it reads in a log line.
    public var summary: String { Self.summary(configuration) }
}

/// log p(x|z) of one image at a time, prepared once per evaluation (`PixelLikelihood.prepared`).
/// No allocation per call: the importance-weighted bound calls it k times per image.
public protocol PreparedPixelLikelihood: Sendable {
    /// log p(x|z) for the `count` outputs ℓ and targets x of one image.
    func logLikelihood(output: UnsafePointer<Float>, targets: UnsafePointer<Float>, count: Int) -> Double
}

public typealias PreparedLikelihood = any PreparedPixelLikelihood

/// The importance-weighted bound's per-code loss for a likelihood whose −log p(x|z) is a sum of
/// per-pixel terms: `term(ℓ, x, pixel)` gives a pixel's term and its gradient (already divided
/// by B). Codes are summed in pixel order, in Double.
func elementwiseCodeLosses(logits: Tensor, targets: Tensor, negativeLogLikelihoods: inout [Double],
                           term: (Float, Float, Int) -> (value: Double, gradient: Float)) -> Tensor {
    let (pixels, codes, b) = (logits.shape[0], logits.shape[1], targets.shape[1])
    var gradient = Tensor(shape: [pixels, codes])
    logits.withUnsafeBufferPointer { l in
        targets.withUnsafeBufferPointer { x in
            gradient.withUnsafeMutableBufferPointer { g in
                negativeLogLikelihoods.withUnsafeMutableBufferPointer { nll in
                    for r in 0..<codes { nll[r] = 0 }
                    for p in 0..<pixels {
                        for r in 0..<codes {
                            let (value, derivative) = term(l[p * codes + r], x[p * b + r % b], p)
                            nll[r] += value
                            g[p * codes + r] = derivative
                        }
                    }
                }
            }
        }
    }
    return gradient
}

/// The first target outside [0, 1] (or NaN), if any.
func targetOutsideUnitInterval(_ targets: Tensor) -> Float? {
    targets.scalars.first { !($0 >= 0 && $0 <= 1) }
}
