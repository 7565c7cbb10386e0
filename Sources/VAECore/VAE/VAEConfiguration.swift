/// The shape of a convolutional VAE for 28×28 single-channel images.
///
/// The default is the course's reference architecture, the one `bench train-step` compares
/// with PyTorch:
///
///     encoder: Conv(1→32, k4, s2, p1)–BN–ReLU      28×28 → 14×14
///              Conv(32→64, k4, s2, p1)–BN–ReLU     14×14 → 7×7
///              Linear(64·7·7 → 2·20)              → (μ, log σ²)
///     decoder: Linear(20 → 64·7·7)–ReLU, reshape to (64, 7, 7)
///              ConvT(64→32, k4, s2, p1)–BN–ReLU    7×7 → 14×14
///              ConvT(32→1, k4, s2, p1)             14×14 → 28×28 Bernoulli logits
///
/// What each choice does:
/// - `latentDimensions`: the size of z. Larger codes reconstruct better, but the KL term prunes
///   the dimensions the data does not need (they become "inactive", with q(z|x) = p(z)).
/// - `channels`: the width of each stride-2 convolution; one entry per halving of the image,
///   so its length is the depth: 1 (28 → 14) or 2 (28 → 14 → 7). Wider layers fit better and
///   cost proportionally more.
/// - `classCount`: 0 for a plain VAE; 10 for a conditional VAE whose encoder and decoder both see
///   the one-hot label beside the features and the code.
/// - `labelCentres` (conditional models only): a learned centre m_y in code space per label
///   (`label_centres.weight`, (classes, D), PyTorch's `nn.Embedding`). The encoder reports the
///   code relative to its label's centre, μ(x, y) = head(features, y) − m_y, and the decoder adds
///   it back, f(z + m_y, y): the prior N(0, I) over z then describes the style alone, for every
///   digit. Without it, a CVAE's code tends to keep a copy of the class, which a z drawn from the
///   prior then contradicts (chapter 7).
public struct VAEConfiguration: Codable, Equatable, Sendable {
    public var latentDimensions: Int
    public var channels: [Int]
    public var classCount: Int
    public var labelCentres: Bool

    public init(latentDimensions: Int = 20, channels: [Int] = [32, 64], classCount: Int = 0,
                labelCentres: Bool = false) {
        self.latentDimensions = latentDimensions
        self.channels = channels
        self.classCount = classCount
        self.labelCentres = labelCentres
    }

    private enum CodingKeys: String, CodingKey { case latentDimensions, channels, classCount, labelCentres }

    /// Checkpoints written before `labelCentres` existed lack the key: false.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latentDimensions = try c.decode(Int.self, forKey: .latentDimensions)
        channels = try c.decode([Int].self, forKey: .channels)
        classCount = try c.decode(Int.self, forKey: .classCount)
        labelCentres = try c.decodeIfPresent(Bool.self, forKey: .labelCentres) ?? false
    }

    /// Writes `labelCentres` only when set, so a plain VAE's `model_config` stays as it was.
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(latentDimensions, forKey: .latentDimensions)
        try c.encode(channels, forKey: .channels)
        try c.encode(classCount, forKey: .classCount)
        if labelCentres { try c.encode(true, forKey: .labelCentres) }
    }

    /// The reference architecture.
    public static let reference = VAEConfiguration()

    /// Image side and channels: MNIST's.
    public static let imageSide = 28

    /// The side of the smallest feature map: 28 halved once per convolution.
    public var bottleneckSide: Int { VAEConfiguration.imageSide >> channels.count }

    /// The number of features the encoder's convolutions produce: C·H·W of the last map.
    public var featureCount: Int { (channels.last ?? 1) * bottleneckSide * bottleneckSide }

    /// Throws when the architecture cannot be built.
    public func validate() throws {
        guard latentDimensions >= 1 else { throw VAEConfigurationError("the latent size must be at least 1, not \(latentDimensions)") }
        guard (1...2).contains(channels.count) else {
            throw VAEConfigurationError("the depth (number of stride-2 convolutions) must be 1 or 2 for 28×28 images, not \(channels.count)")
        }
        guard channels.allSatisfy({ $0 >= 1 }) else { throw VAEConfigurationError("every width must be positive: \(channels)") }
        guard classCount >= 0 else { throw VAEConfigurationError("the class count must not be negative") }
        guard !labelCentres || classCount > 0 else {
            throw VAEConfigurationError("label centres need a conditional model (a class count above 0)")
        }
    }
}

/// A VAE configuration that cannot be built.
public struct VAEConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
