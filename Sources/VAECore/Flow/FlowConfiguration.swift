/// The shape of an inverse autoregressive flow (Kingma et al. 2016) on top of the encoder's
/// Gaussian: `steps` IAF steps, each a one-hidden-layer MADE of `hiddenUnits` ReLU units, all fed
/// a context h of `contextFeatures` numbers computed from the encoder's features.
///
/// Saved inside `VAEConfiguration` (key `flow`) only when a model has one, so the configurations,
/// checkpoints and run fingerprints of models without a flow are the bytes they always were.
public struct FlowConfiguration: Codable, Equatable, Sendable {
    /// T, the number of IAF steps (1...16).
    public var steps: Int
    /// H, the hidden units of each step's MADE.
    public var hiddenUnits: Int
    /// C, the size of the context h = Linear(features) that every step sees.
    public var contextFeatures: Int

    public init(steps: Int = 2, hiddenUnits: Int = 320, contextFeatures: Int = 20) {
        self.steps = steps
        self.hiddenUnits = hiddenUnits
        self.contextFeatures = contextFeatures
    }

    /// The most steps accepted.
    static let maximumSteps = 16
    /// The most hidden units or context features accepted: a corrupt `model_config` asking for
    /// 10¹² is refused before anything is allocated.
    static let maximumWidth = 8192

    /// One phrase for logs: "an IAF posterior of 2 steps (320 hidden units, context 20)".
    public var summary: String {
        "an IAF posterior of \(steps) step\(steps == 1 ? "" : "s") (\(hiddenUnits) hidden units, context \(contextFeatures))"
    }

    /// The flow part of a model with codes of `latentDimensions` and encoder features of
    /// `features`, its weights drawn from `random`.
    func makeFlow(latentDimensions: Int, features: Int, using random: inout RandomSource) throws -> any PosteriorFlow {
        try InverseAutoregressiveFlow(self, latentDimensions: latentDimensions, features: features, using: &random)
    }

    /// Throws `VAEConfigurationError` naming the first setting out of range.
    public func validate() throws {
        guard (1...FlowConfiguration.maximumSteps).contains(steps) else {
            throw VAEConfigurationError("an IAF posterior needs 1...\(FlowConfiguration.maximumSteps) steps, not \(steps) (leave the flow out for none)")
        }
        guard (1...FlowConfiguration.maximumWidth).contains(hiddenUnits) else {
            throw VAEConfigurationError("an IAF step's hidden units must lie in 1...\(FlowConfiguration.maximumWidth), not \(hiddenUnits)")
        }
        guard (1...FlowConfiguration.maximumWidth).contains(contextFeatures) else {
            throw VAEConfigurationError("the IAF context must have 1...\(FlowConfiguration.maximumWidth) features, not \(contextFeatures)")
        }
    }
}
