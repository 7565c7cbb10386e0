/// Everything that decides a VAE's shape: its networks, its code, its likelihood and whether it
/// is conditional. Saved as the checkpoint's `model_config`, so every checkpoint rebuilds its own
/// model; `reference_vae.py` builds the same PyTorch model from the same JSON.
///
/// What each choice does:
/// - `latentDimensions`: the size of z. Larger codes reconstruct better, but the KL term prunes
///   the dimensions the data does not need (they become "inactive", with q(z|x) = p(z)).
/// - `architecture`: the encoder's and the decoder's layers (`Architecture`; presets `reference`,
///   `mlp`, `deep`, `wide`). The default is the course's reference model.
/// - `likelihood`: how the decoder's output scores an image (`Likelihood`): Bernoulli on binarized
///   pixels (the default), or a Gaussian on grey ones.
/// - `classCount`: 0 for a plain VAE; 10 for a conditional VAE whose encoder and decoder both see
///   the one-hot label beside the features and the code.
/// - `labelCentres` (conditional models only): a learned centre m_y in code space per label
///   (`label_centres.weight`, (classes, D), PyTorch's `nn.Embedding`). The encoder reports the
///   code relative to its label's centre, μ(x, y) = head(features, y) − m_y, and the decoder adds
///   it back, f(z + m_y, y): the prior N(0, I) over z then describes the style alone, for every
///   digit. Without it, a CVAE's code tends to keep a copy of the class, which a z drawn from the
///   prior then contradicts (chapter 7).
/// - `flow`: nil for the Gaussian posterior; else q(z|x) is the Gaussian followed by an inverse
///   autoregressive flow (`InverseAutoregressiveFlow`, a `PosteriorFlow`; chapter 12), for a plain
///   or a conditional model.
/// - `prior` (unconditional models, for the VampPrior): p(z), N(0, I) by default,
///   or the VampPrior (`PriorConfiguration`, chapter 12).
public struct VAEConfiguration: Codable, Equatable, Sendable {
    public var latentDimensions: Int
    public var architecture: Architecture
    public var likelihood: Likelihood
    public var classCount: Int
    public var labelCentres: Bool
    /// The IAF steps after the encoder's Gaussian, or nil for none (the default).
    public var flow: FlowConfiguration?
    /// The prior p(z): N(0, I) (the default) or the VampPrior.
    public var prior: PriorConfiguration = .standardNormal

    public init(latentDimensions: Int = 20, architecture: Architecture = .reference, likelihood: Likelihood = .bernoulli,
                classCount: Int = 0, labelCentres: Bool = false, flow: FlowConfiguration? = nil,
                prior: PriorConfiguration = .standardNormal) {
        self.latentDimensions = latentDimensions
        self.architecture = architecture
        self.likelihood = likelihood
        self.classCount = classCount
        self.labelCentres = labelCentres
        self.flow = flow
        self.prior = prior
    }

    /// A model whose networks are `Architecture.convolutional(channels:)`: one stride-2
    /// convolution per entry, mirrored in the decoder.
    public init(latentDimensions: Int = 20, channels: [Int], classCount: Int = 0, labelCentres: Bool = false) {
        self.init(latentDimensions: latentDimensions, architecture: .convolutional(channels: channels),
                  classCount: classCount, labelCentres: labelCentres)
    }

    private enum CodingKeys: String, CodingKey { case latentDimensions, architecture, likelihood, channels, classCount, labelCentres, flow, prior }

    /// Checkpoints written before architectures and likelihoods were data hold `channels` instead
    /// (a convolutional stack) and no likelihood (Bernoulli); before label centres, no such key;
    /// a model without a flow has no `flow`, one with the standard normal prior no `prior`.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latentDimensions = try c.decode(Int.self, forKey: .latentDimensions)
        if let architecture = try c.decodeIfPresent(Architecture.self, forKey: .architecture) {
            self.architecture = architecture
        } else {
            architecture = .convolutional(channels: try c.decode([Int].self, forKey: .channels))
        }
        likelihood = try c.decodeIfPresent(Likelihood.self, forKey: .likelihood) ?? .bernoulli
        classCount = try c.decode(Int.self, forKey: .classCount)
        labelCentres = try c.decodeIfPresent(Bool.self, forKey: .labelCentres) ?? false
        flow = try c.decodeIfPresent(FlowConfiguration.self, forKey: .flow)
        prior = try c.decodeIfPresent(PriorConfiguration.self, forKey: .prior) ?? .standardNormal
    }

    /// Writes `labelCentres` only when set, `flow` only when there is one and `prior` only when it is
    /// not N(0, I), so that the JSON (and every fingerprint made from it) of a model without them
    /// is what it always was.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(latentDimensions, forKey: .latentDimensions)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(likelihood, forKey: .likelihood)
        try c.encode(classCount, forKey: .classCount)
        if labelCentres { try c.encode(true, forKey: .labelCentres) }
        try c.encodeIfPresent(flow, forKey: .flow)
        if prior != .standardNormal { try c.encode(prior, forKey: .prior) }
    }

    /// The reference model: the reference architecture, 20 latent dimensions, Bernoulli.
    public static let reference = VAEConfiguration()

    /// The largest latent size or class count accepted: a `model_config` asking for more (10¹² in
    /// a corrupt file, say) is refused before anything is allocated.
    static let maximumSize = 1 << 16

    /// Image side and channels: MNIST's.
    static let imageSide = 28

    /// The architecture's preset name, or "custom".
    var architectureName: String { architecture.presetName ?? "custom" }

    /// One line for logs: "reference architecture, 20 latent dimensions, bernoulli likelihood"
    /// (", an IAF posterior of 2 steps (320 hidden units, context 20)" with a flow).
    public var summary: String {
        "\(architectureName) architecture, \(latentDimensions) latent dimensions, \(likelihood.summary) likelihood"
            + (classCount > 0 ? ", conditional on \(classCount) labels" + (labelCentres ? " with label centres" : "") : "")
            + (flow.map { ", " + $0.summary } ?? "")
            + (prior != .standardNormal ? ", " + prior.summary : "")
    }

    /// Throws when the model cannot be built, naming the first problem (for a layer: its name and
    /// both shapes).
    public func validate() throws {
        guard (1...VAEConfiguration.maximumSize).contains(latentDimensions) else {
            throw VAEConfigurationError("the latent size must lie in 1...\(VAEConfiguration.maximumSize), not \(latentDimensions)")
        }
        guard (0...VAEConfiguration.maximumSize).contains(classCount) else {
            throw VAEConfigurationError("the class count must lie in 0...\(VAEConfiguration.maximumSize), not \(classCount)")
        }
        guard !labelCentres || classCount > 0 else {
            throw VAEConfigurationError("label centres need a conditional model (a class count above 0)")
        }
        try likelihood.validate()
        try flow?.validate()
        try prior.validate(classCount: classCount)
        _ = try architecture.resolve(latentDimensions: latentDimensions, classCount: classCount)
    }
}

/// A VAE configuration that cannot be built.
public struct VAEConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
