import Foundation

/// The decoder's likelihood p(x|z) as the configuration describes it: which one (`type`) and its
/// settings (`sigma`). One description used everywhere a VAE meets its data: the training loss,
/// the test ELBO, the importance-weighted NLL, the decoder means and sampling. The arithmetic is
/// the part's (`PixelLikelihood`), one type per likelihood, found by `type` in `Likelihood.parts`:
///
/// - `bernoulli` (`BernoulliLikelihood`): binary pixels, the course's default.
/// - `gaussian` (`GaussianLikelihood`): grey pixels, a fixed σ.
/// - `gaussian_learned` (`LearnedGaussianLikelihood`): grey pixels, a variance per pixel learned
///   with the model.
/// - `continuous_bernoulli` (`ContinuousBernoulliLikelihood`): grey pixels, the normalised
///   density of the Bernoulli's formula on [0, 1].
///
/// A Gaussian or a continuous Bernoulli is a *density* over grey values, a Bernoulli a
/// *probability* of binary ones, so their log-likelihoods are in different units: a density's can
/// be positive, and none compares with another or with the binarized-MNIST numbers of papers. All
/// are in nats per image.
public struct Likelihood: Codable, Equatable, Sendable {
    /// The name of a likelihood, as the JSON configuration writes it ("bernoulli",
    /// "gaussian_learned", …). Each part declares its own (`PixelLikelihood.kind`); decoding
    /// a name no part in `Likelihood.parts` declares fails.
    public struct Kind: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String

        /// The kind a part declares: its file's `static let`.
        init(declaring name: String) { rawValue = name }

        /// The kind named `rawValue`, or nil when no part in `Likelihood.parts` declares it.
        public init?(rawValue: String) {
            guard Likelihood.parts.contains(where: { $0.kind.rawValue == rawValue }) else { return nil }
            self.rawValue = rawValue
        }

        public var description: String { rawValue }
    }

    public var type: Kind
    /// The fixed standard deviation of `gaussian`; nil otherwise.
    public var sigma: Double?

    public init(_ type: Kind, sigma: Double? = nil) {
        self.type = type
        self.sigma = sigma
    }

    /// Every likelihood the library knows, in the order the command line lists them. Adding one is
    /// a file with its part (a type conforming to `PixelLikelihood`, which declares its `Kind`) and
    /// a line here.
    nonisolated(unsafe) static let parts: [any PixelLikelihood.Type] = [
        BernoulliLikelihood.self,
        GaussianLikelihood.self,
        LearnedGaussianLikelihood.self,
        ContinuousBernoulliLikelihood.self,
    ]

    /// The part type of this configuration's kind.
    public var part: any PixelLikelihood.Type {
        guard let part = Likelihood.parts.first(where: { $0.kind == type }) else {
            preconditionFailure("the likelihood '\(type)' is declared but missing from Likelihood.parts")
        }
        return part
    }

    /// The part of this configuration: `parameters` bound to it, or (nil) fresh ones at their
    /// starting values.
    func makePart(parameters: [Parameter]? = nil) -> any PixelLikelihood {
        let part = part
        return part.init(self, parameters: parameters ?? part.makeParameters(self))
    }

    /// The likelihood called `name` on the command line (`PixelLikelihood.commandLineName`, or
    /// its JSON name), with the σ given, if any.
    /// - Throws: `VAEConfigurationError` for an unknown name.
    public static func named(_ name: String, sigma: Double? = nil) throws -> Likelihood {
        guard let part = parts.first(where: { $0.commandLineName == name || $0.kind.rawValue == name }) else {
            throw VAEConfigurationError("unknown likelihood '\(name)'; choose \(commandLineNames)")
        }
        return part.commandLineConfiguration(sigma: sigma)
    }

    /// "bernoulli, gaussian, gaussian-learned or continuous-bernoulli".
    static var commandLineNames: String {
        let names = parts.map { $0.commandLineName }
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }

    /// Each likelihood's command-line name and what it is, for `--help`.
    public static var commandLineHelp: String {
        parts.map { "\($0.commandLineName) (\($0.commandLineHelp))" }.joined(separator: ", ")
    }

    /// Throws for settings the part does not take: a σ that is missing, not positive or not
    /// finite, or given where it means nothing.
    public func validate() throws { try part.validate(self) }

    /// How it reads in a log line: "bernoulli", "gaussian σ=0.1", "gaussian, learned variance".
    public var summary: String { part.summary(self) }

    /// Whether the data are binarized: dynamically in training, once for the test set.
    public var binarizesData: Bool { part.binarizesData }

    /// The images a model with this likelihood is evaluated on: the test set binarized once with
    /// `EvaluationDefaults.binarizationSeed` (Bernoulli), or its grey pixels as they are.
    public func evaluationSet(_ test: MNIST) -> MNIST {
        binarizesData ? test.binarized(seed: EvaluationDefaults.binarizationSeed) : test
    }

    /// The part's one parameter at its start (the learned log-variance), or nil.
    func makeParameter() -> Parameter? { part.makeParameters(self).first }

    /// The part's batch loss with `parameter` (or none) bound to it: `PixelLikelihood.loss`.
    func loss(output: Tensor, targets: Tensor, parameter: Parameter?) throws -> LossResult {
        try makePart(parameters: parameter.map { [$0] } ?? []).loss(output: output, targets: targets)
    }

    /// The part's per-image log-likelihood with `parameter` (or none) bound to it.
    func prepared(pixels: Int, parameter: Parameter?) -> PreparedLikelihood {
        makePart(parameters: parameter.map { [$0] } ?? []).prepared(pixels: pixels)
    }

    /// A Gaussian's variance v_j of each of `count` pixels with `parameter` (or none) bound to it;
    /// nil for a likelihood that is not a Gaussian.
    func pixelVariances(count: Int, parameter: Parameter?) -> [Float]? {
        (makePart(parameters: parameter.map { [$0] } ?? []) as? GaussianPixelLikelihood)?.pixelVariances(count: count)
    }
}
