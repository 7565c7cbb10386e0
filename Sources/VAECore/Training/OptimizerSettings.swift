/// Which optimizer a training run uses, with its settings besides the learning rate (the run's
/// `learningRate` and schedule give that): a value, so that it can be saved in a checkpoint's
/// `training_config`, compared, and turned into the optimizer itself (`makeOptimizer`).
///
///     var config = TrainingConfiguration()
///     config.optimizer = .sgd(momentum: 0.9)
///     config.learningRate = 1e-4
///
/// Each case's defaults are PyTorch's for that optimizer (`torch.optim.SGD`, `Adam`, `AdamW`,
/// `RMSprop`); `.adam()` is the course's default. In JSON a case reads
/// `{"sgd": {"momentum": 0.9, "nesterov": false, "weightDecay": 0}}`.
public enum OptimizerSettings: Codable, Equatable, Sendable {
    /// Stochastic gradient descent, with optional (Nesterov) momentum and L2 weight decay (`SGD`).
    case sgd(momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0)
    /// Adam with L2 weight decay folded into the gradient (`Adam`).
    case adam(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0)
    /// Adam with decoupled weight decay (`AdamW`); PyTorch's λ = 0.01.
    case adamW(beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8, weightDecay: Double = 0.01)
    /// RMSprop, optionally centred and with momentum (`RMSprop`).
    case rmsprop(alpha: Double = 0.99, epsilon: Double = 1e-8, momentum: Double = 0, centered: Bool = false,
                 weightDecay: Double = 0)

    /// The course's default: Adam with PyTorch's settings.
    public static let `default` = OptimizerSettings.adam()

    /// The optimizer these settings describe, over `parameters`, at `learningRate`.
    /// - Throws: `OptimizerError` for a setting the optimizer refuses.
    func makeOptimizer(_ parameters: [Parameter], learningRate: Float) throws -> any Optimizer {
        switch self {
        case .sgd(let momentum, let nesterov, let weightDecay):
            try SGD(parameters, learningRate: learningRate, momentum: momentum, weightDecay: weightDecay, nesterov: nesterov)
        case .adam(let beta1, let beta2, let epsilon, let weightDecay):
            try Adam(parameters, learningRate: learningRate, betas: (beta1, beta2), epsilon: epsilon, weightDecay: weightDecay)
        case .adamW(let beta1, let beta2, let epsilon, let weightDecay):
            try AdamW(parameters, learningRate: learningRate, betas: (beta1, beta2), epsilon: epsilon, weightDecay: weightDecay)
        case .rmsprop(let alpha, let epsilon, let momentum, let centered, let weightDecay):
            try RMSprop(parameters, learningRate: learningRate, alpha: alpha, epsilon: epsilon, momentum: momentum,
                        centered: centered, weightDecay: weightDecay)
        }
    }

    /// Throws `TrainingConfigurationError` for settings the optimizer would refuse (its own
    /// checks, run on one dummy parameter).
    public func validate() throws {
        do { _ = try makeOptimizer([Parameter(name: "w", value: Tensor(shape: [1]))], learningRate: 1e-3) } catch {
            throw TrainingConfigurationError("optimizer \(name): \(error)")
        }
    }

    /// "Adam", "SGD with momentum 0.9", "RMSprop (centred)": how the optimizer reads in a log.
    public var summary: String {
        switch self {
        case .sgd(let momentum, let nesterov, let weightDecay):
            return "SGD" + (momentum > 0 ? " with \(nesterov ? "Nesterov " : "")momentum \(momentum)" : "")
                + (weightDecay > 0 ? ", weight decay \(weightDecay)" : "")
        case .adam(_, _, _, let weightDecay):
            return "Adam" + (weightDecay > 0 ? ", L2 weight decay \(weightDecay)" : "")
        case .adamW(_, _, _, let weightDecay):
            return "AdamW, weight decay \(weightDecay)"
        case .rmsprop(let alpha, _, let momentum, let centered, let weightDecay):
            return "RMSprop α = \(alpha)" + (centered ? ", centred" : "") + (momentum > 0 ? ", momentum \(momentum)" : "")
                + (weightDecay > 0 ? ", weight decay \(weightDecay)" : "")
        }
    }

    /// The optimizer's name: "sgd", "adam", "adamw" or "rmsprop" (`vae train --optimizer`).
    public var name: String {
        switch self {
        case .sgd: "sgd"
        case .adam: "adam"
        case .adamW: "adamw"
        case .rmsprop: "rmsprop"
        }
    }

    /// The names `name` takes, in the order `--help` lists them.
    public static let names = ["sgd", "adam", "adamw", "rmsprop"]
}
